"""A case's results reach its applicant through GET /api/cases/{id} and the case page."""

from __future__ import annotations

from onestop.accounts.models import User
from onestop.certificates import services
from onestop.certificates.models import ResultTemplate
from onestop.certificates.states import ResultKind


def test_the_applicant_finds_the_licence_and_its_pdf_in_the_case(sealed, client):
    setup = sealed.setup
    ResultTemplate.objects.create(
        item_code="000101001000",
        kind=ResultKind.LICENCE,
        title="营业执照",
        type_code="11100000000013338W011",
        valid_years=20,
    )
    case = setup.accepted()
    certificate = services.results_issue(task_id=setup.decide(case, "licence").pk)

    client.force_login(setup.applicant.user)
    results = client.get(f"/api/cases/{case.pk}").json()["results"]
    assert [(r["title"], r["identifier"], r["is_current"]) for r in results] == [
        ("营业执照", certificate.identifier, True)
    ]
    pdf = client.get(results[0]["pdf_url"])
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    page = client.get(f"/my/cases/{case.number}/").content.decode()
    assert certificate.identifier in page and results[0]["verify_url"] in page

    # A stranger gets neither the case nor its PDF.
    client.force_login(User.objects.create_user("stranger", "", "pw-123456789"))
    assert client.get(results[0]["pdf_url"]).status_code == 404
