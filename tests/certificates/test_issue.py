"""Issuing results: one per decided task, sealed by an authorised officer, signed, with a QR."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from onestop.cases import services as case_services
from onestop.certificates import services
from onestop.certificates.documents import identifier_in
from onestop.certificates.identifiers import licence_id_parse
from onestop.certificates.models import Certificate, CertificateEvent, ResultTemplate
from onestop.certificates.selectors import certificates_for_case
from onestop.certificates.states import CertificateState, ResultKind
from onestop.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from tests.certificates.tools import text_of


def _pdf(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as f:
        return f.read()


def test_an_approved_task_gets_a_sealed_signed_licence_with_its_identifier(sealed, tmp_path):
    setup = sealed.setup
    ResultTemplate.objects.create(
        item_code="000101001000",
        kind=ResultKind.LICENCE,
        title="营业执照",
        type_code="11100000000013338W011",
        valid_years=20,
    )
    case = setup.accepted()
    task = setup.decide(case, "licence")
    certificate = services.results_issue(task_id=task.pk)
    assert certificate.kind == ResultKind.LICENCE
    assert certificate.title == "营业执照"
    parsed = licence_id_parse(certificate.identifier)
    assert parsed.type_code == "11100000000013338W011"
    assert parsed.issuer == setup.departments["licence"].uscc
    assert certificate.state == CertificateState.VALID
    assert certificate.valid_until is not None
    pdf = _pdf(certificate)
    assert identifier_in(pdf) == certificate.identifier
    text = text_of(pdf)
    assert "营业执照" in text
    assert setup.applicant.name in text
    assert "赫山区市场监督管理局" in text
    assert certificate.verify_token in text  # the printed verification address
    assert certificate.events.get().kind == "issued"
    # The seal image is on the page, and the signature is embedded.
    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1


def test_issuing_twice_gives_the_first_result(sealed):
    setup = sealed.setup
    case = setup.accepted()
    task = setup.decide(case, "licence")
    first = services.results_issue(task_id=task.pk)
    second = services.results_issue(task_id=task.pk)
    assert first.pk == second.pk
    assert Certificate.objects.count() == 1


def test_without_an_item_template_an_approval_is_a_decision_letter(sealed, tmp_path):
    setup = sealed.setup
    case = setup.accepted()
    task = setup.decide(case, "licence")
    certificate = services.results_issue(task_id=task.pk)
    assert certificate.kind == ResultKind.APPROVAL_LETTER
    text = text_of(_pdf(certificate))
    assert "准予许可决定书" in text
    assert "决定准予行政许可" in text


def test_a_denial_letter_carries_the_reasons_and_the_remedies(sealed, tmp_path):
    setup = sealed.setup
    case = setup.accepted()
    task = setup.decide(case, "licence", approve=False)
    certificate = services.results_issue(task_id=task.pk)
    assert certificate.kind == ResultKind.DENIAL_LETTER
    text = text_of(_pdf(certificate))
    assert "不予许可决定书" in text
    assert "不符合条件" in text  # the officer's reason
    assert "六十日" in text and "行政复议" in text
    assert "六个月" in text and "行政诉讼" in text


def test_a_task_not_decided_has_no_result(sealed):
    setup = sealed.setup
    case = setup.accepted()
    with pytest.raises(IllegalTransition):
        services.results_issue(task_id=setup.task(case, "licence").pk)


def test_an_officer_without_an_authorisation_cannot_seal(setup):
    case = setup.accepted()
    task = setup.decide(case, "licence")
    services.seal_create(department=setup.departments["licence"])  # nobody authorised
    with pytest.raises(PermissionDenied):
        services.results_issue(task_id=task.pk)
    assert not Certificate.objects.exists()


def test_results_are_issued_after_the_decision_commits(sealed, django_capture_on_commit_callbacks):
    setup = sealed.setup
    case = setup.accepted()
    with django_capture_on_commit_callbacks(execute=True):
        setup.decide(case, "licence")
    entries = certificates_for_case(case.pk)
    assert [e.title for e in entries] == ["准予许可决定书"]
    assert entries[0].is_current
    assert entries[0].verify_url.startswith("/certificates/v/")


def test_the_sweep_issues_what_is_missing_and_names_what_it_cannot(sealed, capsys):
    setup = sealed.setup
    case = setup.accepted()
    setup.decide(case, "licence")  # the hook did not run (no commit in this test)
    setup.decide(case, "seal")
    call_command("certificates", "issue-missing")
    out = capsys.readouterr().out
    assert Certificate.objects.filter(case=case).count() == 2
    assert "2" in out
    call_command("certificates", "issue-missing")
    assert Certificate.objects.filter(case=case).count() == 2


def test_serials_count_up_per_issuer_and_year(sealed):
    setup = sealed.setup
    ids = []
    for _ in range(2):
        case = setup.accepted()
        ids.append(services.results_issue(task_id=setup.decide(case, "licence").pk).identifier)
    serials = [licence_id_parse(i).serial for i in ids]
    assert int(serials[1]) == int(serials[0]) + 1


def test_revocation_needs_a_reason_and_is_final(sealed):
    setup = sealed.setup
    case = setup.accepted()
    certificate = services.results_issue(task_id=setup.decide(case, "licence").pk)
    officer = setup.officers["licence"]
    with pytest.raises(ValidationFailed):
        services.certificate_revoke(certificate_id=certificate.pk, actor=officer, reason=" ")
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(
            certificate_id=certificate.pk, actor=setup.officers["seal"], reason="错误"
        )
    revoked = services.certificate_revoke(
        certificate_id=certificate.pk, actor=officer, reason="申请材料虚假"
    )
    assert revoked.state == CertificateState.REVOKED
    event = CertificateEvent.objects.filter(certificate=certificate).last()
    assert (event.kind, event.from_state, event.reason) == ("revoked", "valid", "申请材料虚假")
    with pytest.raises(IllegalTransition):
        services.certificate_cancel(certificate_id=certificate.pk, actor=officer, reason="注销")
    assert not certificates_for_case(case.pk)[0].is_current


def test_a_certificate_past_its_validity_expires_in_the_sweep(sealed):
    import datetime as dt

    setup = sealed.setup
    ResultTemplate.objects.create(item_code="", title="许可证", valid_years=1)
    case = setup.accepted()
    certificate = services.results_issue(task_id=setup.decide(case, "licence").pk)
    assert services.certificates_expire(today=certificate.valid_until) == []
    later = certificate.valid_until + dt.timedelta(days=1)
    assert services.certificates_expire(today=later) == [certificate.identifier]
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.EXPIRED


def test_the_case_completes_and_hands_out_with_its_results(sealed):
    setup = sealed.setup
    case = setup.completed()
    for task in case.tasks.all():
        services.results_issue(task_id=task.pk)
    case_services.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    assert len(certificates_for_case(case.pk)) == case.tasks.count()


def test_the_sweep_runs_as_a_celery_task_in_process(sealed):
    from onestop.certificates.tasks import certificates_expire_task, certificates_issue_missing

    setup = sealed.setup
    case = setup.accepted()
    setup.decide(case, "licence")
    result = certificates_issue_missing.delay().get()
    assert len(result["issued"]) == 1 and result["failed"] == []
    assert certificates_expire_task.delay().get() == []


def test_the_case_page_entries_take_one_query(sealed, django_assert_num_queries):
    setup = sealed.setup
    case = setup.completed()
    for task in case.tasks.all():
        services.results_issue(task_id=task.pk)
    with django_assert_num_queries(1):
        entries = certificates_for_case(case.pk)
    assert len(entries) == 3


def test_the_sweep_can_be_kept_to_some_cases(sealed):
    from onestop.cases.models import Case

    setup = sealed.setup
    mine, other = setup.accepted(), setup.accepted()
    setup.decide(mine, "licence")
    setup.decide(other, "licence")
    issued, failed = services.results_issue_missing(cases=Case.objects.filter(pk=mine.pk))
    assert [c.case_id for c in issued] == [mine.pk] and failed == []
    assert not Certificate.objects.filter(case=other).exists()
