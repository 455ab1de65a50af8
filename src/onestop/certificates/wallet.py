"""The licence wallet (证照夹, 数据跑路): an applicant's certificates, reused as materials.

A certificate issued from a ``ResultTemplate`` stands for the catalog materials its
``LicenceMaterial`` rows name (``MaterialRequirement.key``, e.g. ``business_licence``). When a
later application of the same holder asks for such a material, the portal offers the newest
current certificate instead of an upload; the case material then holds the e-licence
identifier (``CaseMaterial.licence_reference``, source ``licence``).

Nothing is copied: the window, the department and the applicant's case page check the
referenced certificate every time they show it (``licence_checks_for_case``: the signature
of the stored file and the state, through ``selectors.certificate_verify_stored``), so a
certificate revoked later is seen as revoked by every case that used it.

Reads only; the wallet writes nothing (the case engine records the reference).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant
from onestop.cases.models import Case, CaseMaterial
from onestop.certificates.models import Certificate, LicenceMaterial
from onestop.certificates.selectors import certificate_verify_stored
from onestop.certificates.states import CERTIFICATE_CURRENT_STATES
from onestop.core import clock


@dataclass(frozen=True)
class WalletLicence:
    """One certificate of the wallet, and the materials it stands for."""

    id: int
    identifier: str
    title: str
    issuer: str
    issued_at: dt.datetime
    valid_until: dt.date | None
    state: str
    state_label: str
    is_current: bool
    material_keys: tuple[str, ...]
    pdf_url: str
    verify_url: str


def _mappings(keys: Iterable[str] | None = None) -> dict[tuple[str, str], set[str]]:
    """(item code, result kind) → the material keys its certificates stand for. Only item
    templates count: the default template (item code "") is for items without their own."""
    rows = LicenceMaterial.objects.exclude(template__item_code="")
    if keys is not None:
        rows = rows.filter(material_key__in=list(keys))
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, kind, key in rows.values_list(
        "template__item_code", "template__kind", "material_key"
    ):
        found[(code, kind)].add(key)
    return found


def _is_current(c: Certificate, today: dt.date) -> bool:
    return c.state in CERTIFICATE_CURRENT_STATES and (
        c.valid_until is None or c.valid_until >= today
    )


def _licence(c: Certificate, keys: set[str], today: dt.date) -> WalletLicence:
    current = _is_current(c, today)
    past_date = c.state in CERTIFICATE_CURRENT_STATES and not current
    return WalletLicence(
        id=c.pk,
        identifier=c.identifier,
        title=c.title,
        issuer=c.issuer.name,
        issued_at=c.issued_at,
        valid_until=c.valid_until,
        state=c.state,
        state_label=_("已过期") if past_date else str(c.get_state_display()),
        is_current=current,
        material_keys=tuple(sorted(keys)),
        pdf_url=reverse("certificates:pdf", args=[c.verify_token]),
        verify_url=reverse("certificates:verify", args=[c.verify_token]),
    )


def _mapped_certificates(
    holder: Applicant, mappings: dict[tuple[str, str], set[str]]
) -> QuerySet[Certificate]:
    match = Q(pk__in=[])
    for code, kind in mappings:
        match |= Q(item_code=code, kind=kind)
    return (
        Certificate.objects.filter(match, holder=holder)
        .select_related("issuer")
        .order_by("-issued_at", "-pk")
    )


def wallet_of(holder: Applicant) -> list[WalletLicence]:
    """我的证照: every certificate issued to ``holder`` (newest first), current or not, each
    with the materials it stands for (none for a decision letter)."""
    today = clock.today()
    mappings = _mappings()
    rows = Certificate.objects.filter(holder=holder).select_related("issuer")
    return [
        _licence(c, mappings.get((c.item_code, c.kind), set()), today)
        for c in rows.order_by("-issued_at", "-pk")
    ]


def wallet_offers(
    holder: Applicant | None, material_keys: Iterable[str]
) -> dict[str, WalletLicence]:
    """For each material key (of an application, a guide) that one of ``holder``'s current
    certificates stands for: that certificate (the newest). Only the holder's own."""
    if holder is None:
        return {}
    wanted = list(dict.fromkeys(material_keys))
    mappings = _mappings(wanted)
    if not mappings:
        return {}
    today = clock.today()
    offers: dict[str, WalletLicence] = {}
    for c in _mapped_certificates(holder, mappings):
        if not _is_current(c, today):
            continue
        keys = mappings[(c.item_code, c.kind)]
        for key in keys:
            offers.setdefault(key, _licence(c, keys, today))
    return {key: offers[key] for key in wanted if key in offers}


# --- a case's licence materials, checked on the fly --------------------------------------


@dataclass(frozen=True)
class LicenceCheck:
    """What the window, the department and the applicant see for a licence material."""

    identifier: str
    ok: bool  # genuine, current, and the case's applicant holds it
    reason: str  # ok, unknown, other_holder, or a verdict's reason (revoked, tampered …)
    message: str
    title: str = ""
    issuer: str = ""
    state_label: str = ""
    verify_url: str = ""


def licence_check(identifier: str, *, holder_id: int | None) -> LicenceCheck:
    """Check one e-licence reference now: the stored file's signature and the state
    (``certificate_verify_stored``), and that ``holder_id`` holds it."""
    c = (
        Certificate.objects.select_related("issuer", "holder", "seal")
        .filter(identifier=identifier)
        .first()
    )
    if c is None:
        return LicenceCheck(
            identifier, False, "unknown", _("本平台没有签发过此电子证照，无法核验。")
        )
    facts = {
        "title": c.title,
        "issuer": c.issuer.name,
        "state_label": str(c.get_state_display()),
        "verify_url": reverse("certificates:verify", args=[c.verify_token]),
    }
    if holder_id is not None and c.holder_id != holder_id:
        return LicenceCheck(
            identifier, False, "other_holder", _("此电子证照不属于本件申请人。"), **facts
        )
    verdict = certificate_verify_stored(c)
    message = _("已核验：签名完好，证照当前有效。") if verdict.genuine else verdict.message
    return LicenceCheck(identifier, verdict.genuine, verdict.reason, message, **facts)


def licence_checks_for_case(case: Case) -> dict[str, LicenceCheck]:
    """Every licence material of ``case`` by material key, each checked now."""
    rows = CaseMaterial.objects.filter(case=case).exclude(licence_reference="")
    return {
        m.key: licence_check(m.licence_reference, holder_id=case.applicant_id)
        for m in rows.order_by("pk")
    }


def cases_using(certificate: Certificate) -> QuerySet[Case]:
    """The cases whose materials reference ``certificate`` (what its revocation reaches)."""
    return (
        Case.objects.filter(materials__licence_reference=certificate.identifier)
        .distinct()
        .order_by("pk")
    )
