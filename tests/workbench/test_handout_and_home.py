"""Hand-out (统一出件) and where each role lands after logging in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.cases import services
from onestop.cases.states import CaseState
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.cases import upload

pytestmark = pytest.mark.django_db


def test_handout_refused_while_a_tolerated_material_is_missing_then_delivered(setup, as_user):
    case = setup.tolerated()
    for key in ("licence", "seal", "invoice"):
        setup.decide(case, key)
    client = as_user(setup.clerk)
    page = client.get(reverse("workbench:handout")).content.decode()
    assert case.number in page and "容缺材料待补：租赁合同" in page
    refused = client.post(
        reverse("workbench:handout_deliver", args=[case.number]), follow=True
    ).content.decode()
    assert "容缺材料尚未补齐（租赁合同）" in refused
    services.case_supply_tolerated(
        case_id=case.pk, key="lease", material=upload("lease"), by=setup.applicant
    )
    done = client.post(
        reverse("workbench:handout_deliver", args=[case.number]), follow=True
    ).content.decode()
    assert "已出件" in done
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("clerk", "workbench:window_queue"),
        ("agent", "workbench:intake"),
        ("officer", "workbench:inbox"),
        ("chief", "workbench:inbox"),
        ("supervisor", "supervision:desk"),
        ("catalog_admin", "admin:index"),
    ],
)
def test_desk_home_dispatches_by_role(client, role, target):
    staff = StaffFactory(**{role: True}) if role != "clerk" else StaffFactory()
    client.force_login(staff.user)
    assert client.get(reverse("workbench:home")).url == reverse(target)


def test_desk_home_sends_applicants_to_their_cases_and_superusers_to_admin(setup, client):
    client.force_login(setup.applicant.user)
    assert client.get(reverse("workbench:home")).url == reverse("portal:my_cases")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("workbench:home")).url == reverse("admin:index")
