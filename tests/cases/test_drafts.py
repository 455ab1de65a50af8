"""Drafts (草稿): saved for later by their author, invisible to staff, submitted as the same row."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from onestop.cases import selectors, services
from onestop.cases.events import chain_verify
from onestop.cases.models import Case
from onestop.cases.services import MaterialInput
from onestop.cases.services.drafts import DRAFTS_MAX, drafts_of
from onestop.cases.states import CaseState, Channel, EventKind, MaterialStatus
from onestop.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests.factories.accounts import ApplicantFactory, UserFactory
from tests.factories.cases import PDF, Setup, upload

pytestmark = pytest.mark.django_db


def _draft(setup: Setup, **kwargs) -> Case:
    return services.case_draft_save(
        created_by=kwargs.pop("created_by", setup.applicant.user),
        applicant=kwargs.pop("applicant", setup.applicant),
        package_version=setup.package,
        answers=setup.answers(),
        form_data=kwargs.pop("form_data", {"company_name": "益阳市好味道餐饮有限公司"}),
        accepting_region=setup.county,
        **kwargs,
    )


def test_a_draft_keeps_what_was_typed_without_checking_it(setup):
    draft = _draft(setup, form_data={"company_name": "  好味道 ", "phone": "123", "unknown": "x"})
    assert draft.state == CaseState.DRAFT
    assert draft.number is None  # numbers are given at submission: no gaps
    assert draft.form_data == {"company_name": "好味道", "phone": "123"}
    assert not draft.events.exists()
    assert list(drafts_of(setup.applicant.user)) == [draft]


def test_saving_again_updates_the_same_draft(setup):
    draft = _draft(setup)
    again = _draft(setup, draft_id=draft.pk, form_data={"phone": "13807371234"})
    assert again.pk == draft.pk
    draft.refresh_from_db()
    assert draft.form_data == {"phone": "13807371234"}
    assert Case.objects.filter(state=CaseState.DRAFT).count() == 1


def test_submitting_a_draft_turns_the_same_row_into_a_numbered_case(setup):
    draft = _draft(setup)
    case = setup.submit(channel=Channel.ONLINE, draft_id=draft.pk)
    assert case.pk == draft.pk
    case.refresh_from_db()
    assert case.state == CaseState.PRE_REVIEW
    assert case.number
    assert case.form_data == setup.form()  # what was submitted, checked
    first = case.events.get()
    assert (first.kind, first.from_state) == (EventKind.SUBMITTED, CaseState.DRAFT)
    assert chain_verify(case) == (1, [])
    assert not drafts_of(setup.applicant.user).exists()


def test_a_draft_is_submitted_once(setup):
    draft = _draft(setup)
    setup.submit(draft_id=draft.pk)
    with pytest.raises(NotFound):
        setup.submit(draft_id=draft.pk)
    assert Case.objects.count() == 1


def test_a_failed_submission_leaves_the_draft_as_it_was(setup):
    draft = _draft(setup)
    with pytest.raises(ValidationFailed):
        setup.submit(draft_id=draft.pk, form_data=setup.form(phone="not a phone"))
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT
    assert draft.number is None


def test_nobody_else_can_read_save_submit_or_discard_a_draft(setup):
    draft = _draft(setup)
    other = ApplicantFactory(user=UserFactory())
    with pytest.raises(NotFound):
        _draft(setup, draft_id=draft.pk, created_by=other.user, applicant=other)
    with pytest.raises(NotFound):
        setup.submit(draft_id=draft.pk, created_by=other.user, applicant=other)
    with pytest.raises(NotFound):
        services.case_draft_discard(created_by=other.user, draft_id=draft.pk)
    with pytest.raises(PermissionDenied):  # nor start one in someone else's name
        _draft(setup, created_by=other.user)
    assert Case.objects.get(pk=draft.pk).state == CaseState.DRAFT


def test_staff_never_see_drafts(setup):
    draft = _draft(setup)
    for viewer in (setup.clerk, setup.officers["licence"], setup.applicant):
        assert not selectors.case_scope_for(viewer).filter(pk=draft.pk).exists()
    assert not selectors.window_queue(setup.clerk).filter(pk=draft.pk).exists()
    assert draft not in selectors.case_list_for_applicant(setup.applicant)


def test_discarding_deletes_the_draft(setup):
    draft = _draft(setup)
    services.case_draft_discard(created_by=setup.applicant.user, draft_id=draft.pk)
    assert not Case.objects.filter(pk=draft.pk).exists()
    with pytest.raises(NotFound):
        services.case_draft_discard(created_by=setup.applicant.user, draft_id=draft.pk)


def test_incomplete_situation_answers_are_refused_naming_the_question(setup):
    with pytest.raises(ValidationFailed):
        services.case_draft_save(
            created_by=setup.applicant.user,
            applicant=setup.applicant,
            package_version=setup.package,
            answers={},
            form_data={},
            accepting_region=setup.county,
        )
    assert not Case.objects.exists()


def test_a_draft_for_another_package_cannot_be_submitted_here(setup):
    draft = services.case_draft_save(
        created_by=setup.applicant.user,
        applicant=setup.applicant,
        item_version=setup.versions["licence"],
        accepting_region=setup.county,
    )
    with pytest.raises(ValidationFailed) as caught:
        setup.submit(draft_id=draft.pk)
    assert caught.value.field == "draft"


def test_overlong_values_and_too_many_drafts_are_refused(setup):
    with pytest.raises(ValidationFailed) as caught:
        _draft(setup, form_data={"company_name": "好" * 2001})
    assert caught.value.field == "form_data.company_name"
    for _ in range(DRAFTS_MAX):
        _draft(setup)
    with pytest.raises(ValidationFailed):
        _draft(setup)
    assert drafts_of(setup.applicant.user).count() == DRAFTS_MAX


def test_a_draft_started_on_an_older_package_version_is_submitted_on_the_current_one(setup):
    from onestop.catalog import services as catalog

    draft = _draft(setup)
    newer = catalog.package_version_create_draft(package=setup.package.package)
    newer = catalog.package_version_publish(version=newer)
    case = services.case_submit(
        applicant=setup.applicant,
        package_version=newer,
        answers=setup.answers(),
        form_data=setup.form(),
        materials=setup.full_materials(),
        channel=Channel.ONLINE,
        accepting_region=setup.county,
        created_by=setup.applicant.user,
        draft_id=draft.pk,
    )
    assert case.pk == draft.pk
    case.refresh_from_db()
    assert case.package_version == newer


def test_a_draft_keeps_chosen_files_and_the_submission_carries_them_over(setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = _draft(setup, files=[upload("lease"), upload("id_card")])
    kept = {m.key: m for m in draft.materials.all()}
    assert set(kept) == {"id_card", "lease"}
    assert kept["lease"].file.name.startswith(f"cases/drafts/{draft.pk}/lease-")
    # saved again with a new lease: it replaces the old one
    _draft(setup, draft_id=draft.pk, files=[upload("lease", body=PDF + b"%v2\n")])
    lease = draft.materials.get(key="lease")
    assert lease.sha256 != kept["lease"].sha256

    case = setup.submit(
        draft_id=draft.pk,
        materials=[MaterialInput(key="residence_proof", commitment="本人承诺住所真实。")],
    )
    rows = {m.key: m for m in case.materials.all()}
    assert rows["lease"].status == MaterialStatus.SUBMITTED
    assert (rows["lease"].file.name, rows["lease"].sha256) == (lease.file.name, lease.sha256)
    assert rows["id_card"].file.name == kept["id_card"].file.name
    with default_storage.open(rows["lease"].file.name) as stored:
        assert stored.read().startswith(b"%PDF")
    submitted = case.events.get().payload["materials"]
    assert submitted["lease"]["sha256"] == lease.sha256


def test_a_file_given_at_submission_wins_over_the_drafts(setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = _draft(setup, files=[upload("lease")])
    case = setup.submit(draft_id=draft.pk)  # full materials, a lease among them
    assert case.materials.get(key="lease").file.name.startswith(f"cases/{case.number}/")


def test_draft_files_are_checked_and_must_be_on_the_list(setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationFailed) as caught:
        _draft(setup, files=[upload("lease", name="lease.exe")])
    assert caught.value.field == "materials.lease"
    with pytest.raises(ValidationFailed) as caught:
        _draft(setup, files=[upload("not_on_the_list")])
    assert caught.value.field == "materials.not_on_the_list"
    assert not Case.objects.exists()
