"""Demo data of certificates: a seal for every demo department, its officers and chief
approvers authorised to use it, result templates for the items whose result is a
certificate, and the results of every decided demo task (issued through the services, as
the ``issue-missing`` sweep does). A second run creates nothing."""

from __future__ import annotations

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.catalog.models import ServiceItemVersion, VersionStatus
from onestop.certificates import services
from onestop.certificates.models import Certificate, ResultTemplate, Seal, SealAuthorisation
from onestop.certificates.states import ResultKind, SealKind
from onestop.demo.summary import DemoSummary
from onestop.regions.models import Department

# The licence type code of the business licence in DOMAIN.md §7.3's example.
BUSINESS_LICENCE_TYPE = "11100000000013338W011"
# Results with these endings are certificates (证照); the others are decision letters.
LICENCE_ENDINGS = ("执照", "证", "证书", "卡", "证明")
VALID_YEARS = {"食品经营许可证": 5, "湖南省老年人优待证": 10}


def _seals(summary: DemoSummary) -> None:
    have = set(Seal.objects.filter(kind=SealKind.APPROVAL).values_list("department_id", flat=True))
    for department in Department.objects.order_by("pk"):
        created = department.pk not in have
        if created:
            services.seal_create(department=department, kind=SealKind.APPROVAL)
        summary.tally("seals", created=created)


def _authorisations(summary: DemoSummary) -> None:
    seals = {s.department_id: s for s in Seal.objects.filter(kind=SealKind.APPROVAL)}
    granted = set(SealAuthorisation.objects.values_list("staff_id", "seal_id"))
    for staff in Staff.objects.exclude(department=None).order_by("pk"):
        seal = seals.get(staff.department_id)
        if seal is None or not staff.has_permission(Permission.SEAL_USE):
            continue
        created = (staff.pk, seal.pk) not in granted
        if created:
            services.seal_authorise(seal_id=seal.pk, staff=staff)
        summary.tally("seal authorisations", created=created)


def _templates(summary: DemoSummary) -> None:
    have = set(ResultTemplate.objects.values_list("item_code", flat=True))
    rows = (
        ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(result_name="")
        .values_list("item__basic_code", "result_name")
        .order_by("item__basic_code")
    )
    for code, result_name in rows:
        if not result_name.endswith(LICENCE_ENDINGS):
            continue
        created = code not in have
        if created:
            services.result_template_save(
                item_code=code,
                kind=ResultKind.LICENCE,
                title=result_name,
                type_code=BUSINESS_LICENCE_TYPE if result_name == "营业执照" else "",
                valid_years=VALID_YEARS.get(result_name),
            )
        summary.tally("result templates", created=created)


def load_certificates(summary: DemoSummary) -> None:
    """Seals, authorisations, templates, then the results of every decided demo task."""
    _seals(summary)
    _authorisations(summary)
    _templates(summary)
    issued, _failed = services.results_issue_missing()
    summary.present["certificates"] += Certificate.objects.count()
    summary.created["certificates"] += len(issued)
