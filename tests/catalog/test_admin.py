from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.catalog.models import (
    Package,
    PackageDependency,
    ServiceItem,
    ServiceItemVersion,
    VersionStatus,
)
from tests.factories.accounts import UserFactory
from tests.factories.catalog import PackageVersionFactory, ServiceItemVersionFactory
from tests.factories.regions import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _form_values(form: Any, data: dict[str, Any]) -> None:
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        key = bound.html_name
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is None:
            data[key] = ""
        elif hasattr(value, "pk"):
            data[key] = str(value.pk)
        else:
            data[key] = str(value)


def change_form_data(response) -> dict[str, Any]:
    """The POST a browser would send for an unchanged admin change form (with inlines)."""
    data: dict[str, Any] = {}
    _form_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_values(formset.management_form, data)
        for form in formset.forms:
            _form_values(form, data)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "model", ["serviceitem", "serviceitemversion", "package", "packageversion"]
)
def test_changelists_load(admin_client, restaurant, model):
    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


def test_changelist_filters_and_search(admin_client, restaurant):
    url = reverse("admin:catalog_serviceitemversion_changelist")
    response = admin_client.get(url, {"status__exact": "published", "q": "食品"})
    assert response.status_code == 200
    assert "食品经营许可" in response.content.decode()
    assert "公章刻制备案" not in response.content.decode()


def test_draft_and_published_change_pages_load(admin_client, restaurant):
    draft = ServiceItemVersionFactory()
    published = restaurant.versions["food"]
    for version in (draft, published):
        url = reverse("admin:catalog_serviceitemversion_change", args=[version.pk])
        assert admin_client.get(url).status_code == 200
    url = reverse("admin:catalog_packageversion_change", args=[restaurant.package_version.pk])
    assert admin_client.get(url).status_code == 200
    for model, pk in (
        ("serviceitem", published.item_id),
        ("package", restaurant.package_version.package_id),
    ):
        assert (
            admin_client.get(reverse(f"admin:catalog_{model}_change", args=[pk])).status_code == 200
        )


def test_published_version_is_read_only(admin_client, restaurant):
    version = restaurant.versions["food"]
    url = reverse("admin:catalog_serviceitemversion_change", args=[version.pk])
    response = admin_client.get(url)
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.post(url, {"name": "改名"}).status_code == 403
    version.refresh_from_db()
    assert version.name == "食品经营许可"


def test_draft_can_be_edited_through_the_change_form(admin_client):
    version = ServiceItemVersionFactory()
    url = reverse("admin:catalog_serviceitemversion_change", args=[version.pk])
    data = change_form_data(admin_client.get(url))
    data["promised_days"] = "4"
    data["materials-0-copies"] = "3"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    version.refresh_from_db()
    assert version.promised_days == 4
    assert version.materials.get(key="id_card").copies == 3


def test_invalid_material_condition_is_a_form_error(admin_client):
    version = ServiceItemVersionFactory()
    url = reverse("admin:catalog_serviceitemversion_change", args=[version.pk])
    data = change_form_data(admin_client.get(url))
    data["materials-0-condition"] = '{"question": "area", "op": "about", "value": 1}'
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "运算符“about”无效" in response.content.decode()


def test_cyclic_dependency_in_inline_is_refused(admin_client, restaurant):
    pv = restaurant.package_version
    url = reverse("admin:catalog_packageversion_change", args=[pv.pk])
    data = change_form_data(admin_client.get(url))
    n = int(data["dependencies-TOTAL_FORMS"])
    data["dependencies-TOTAL_FORMS"] = str(n + 1)
    data[f"dependencies-{n}-before"] = str(restaurant.seal.pk)
    data[f"dependencies-{n}-after"] = str(restaurant.licence.pk)
    data[f"dependencies-{n}-package_version"] = str(pv.pk)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "前置关系形成循环" in response.content.decode()
    assert not PackageDependency.objects.filter(before=restaurant.seal).exists()


def test_add_item_creates_identity_and_draft(admin_client):
    department = DepartmentFactory()
    response = admin_client.post(
        reverse("admin:catalog_serviceitem_add"),
        {"basic_code": "0100077000", "name": "药品零售许可", "department": department.pk},
    )
    assert response.status_code == 302
    item = ServiceItem.objects.get(basic_code="0100077000")
    version = item.versions.get()
    assert version.status == VersionStatus.DRAFT
    assert version.department == department


def _action(client, model: str, action: str, pks: list[int]):
    return client.post(
        reverse(f"admin:catalog_{model}_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def test_publish_action_refuses_version_with_errors(admin_client):
    version = ServiceItemVersionFactory(complaint_phone="")
    response = _action(admin_client, "serviceitemversion", "publish", [version.pk])
    assert response.status_code == 200
    assert any("不能发布" in m and "缺少监督投诉电话" in m for m in _messages(response))
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_publish_action_publishes_a_clean_draft(admin_client):
    version = ServiceItemVersionFactory()
    response = _action(admin_client, "serviceitemversion", "publish", [version.pk])
    assert any("已发布" in m for m in _messages(response))
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED


def test_check_action_reports_findings(admin_client):
    bad = ServiceItemVersionFactory(office_hours="9:00-17:00")
    good = ServiceItemVersionFactory()
    response = _action(admin_client, "serviceitemversion", "run_check", [bad.pk, good.pk])
    messages = _messages(response)
    assert any("office_hours_workday" in m for m in messages)
    assert any(m.endswith("未发现问题") for m in messages)


def test_new_draft_action_copies_the_version(admin_client, restaurant):
    published = restaurant.versions["food"]
    _action(admin_client, "serviceitemversion", "create_draft", [published.pk])
    draft = ServiceItemVersion.objects.get(item=published.item, version=2)
    assert draft.status == VersionStatus.DRAFT
    assert draft.materials.count() == published.materials.count()


def test_package_actions(admin_client, restaurant):
    pv = restaurant.package_version
    response = _action(admin_client, "packageversion", "run_check", [pv.pk])
    assert any("未发现问题" in m for m in _messages(response))
    _action(admin_client, "packageversion", "publish", [pv.pk])
    pv.refresh_from_db()
    assert pv.status == VersionStatus.PUBLISHED
    response = _action(admin_client, "package", "create_draft", [pv.package_id])
    assert pv.package.versions.filter(status=VersionStatus.DRAFT).count() == 1


def test_add_package_creates_identity_and_draft(admin_client):
    department = DepartmentFactory()
    response = admin_client.post(
        reverse("admin:catalog_package_add"),
        {"code": "YJS-NEW", "name": "我要开药店", "lead_department": department.pk},
    )
    assert response.status_code == 302
    version = Package.objects.get(code="YJS-NEW").versions.get()
    assert version.lead_department == department
    assert version.status == VersionStatus.DRAFT


def test_choice_question_without_choices_is_a_form_error(admin_client, restaurant):
    pv = restaurant.package_version
    url = reverse("admin:catalog_packageversion_change", args=[pv.pk])
    data = change_form_data(admin_client.get(url))
    n = int(data["questions-TOTAL_FORMS"])
    data["questions-TOTAL_FORMS"] = str(n + 1)
    data.update(
        {
            f"questions-{n}-key": "shop_kind",
            f"questions-{n}-text": "店铺类型",
            f"questions-{n}-kind": "choice",
            f"questions-{n}-choices": "[]",
            f"questions-{n}-order": "99",
            f"questions-{n}-package_version": str(pv.pk),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "至少需要两个选项" in response.content.decode()
    assert not pv.questions.filter(key="shop_kind").exists()


def test_package_draft_edits_go_through(admin_client, restaurant):
    pv = restaurant.package_version
    url = reverse("admin:catalog_packageversion_change", args=[pv.pk])
    data = change_form_data(admin_client.get(url))
    data["promised_days"] = "9"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    pv.refresh_from_db()
    assert pv.promised_days == 9
    assert pv.dependencies.count() == 3


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/admin/catalog/serviceitem/", ServiceItemVersionFactory),
        ("/admin/catalog/package/", PackageVersionFactory),
    ],
)
def test_identity_changelist_shows_the_published_version_in_a_fixed_number_of_queries(
    admin_client, url, factory
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    factory(status=VersionStatus.PUBLISHED, version=3)
    few = count_queries()
    for _ in range(5):
        factory(status=VersionStatus.PUBLISHED)
    assert count_queries() == few
    assert "v3" in admin_client.get(url).content.decode()
