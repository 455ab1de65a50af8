"""The write path of certificates: seals, their authorisations, issuing and revoking results.

- ``seal_create`` makes a seal: its keys (files in the key directory, see ``keys.py``) and
  certificates from the platform CA, and its image (a generated round red seal, or an
  uploaded PNG).
- ``seal_authorise`` lets a staff member use a seal, for one item or all; ``seal_use_require``
  is the check the issuance runs before it seals anything.
- ``results_issue`` issues the result of a decided item task: on approval the item's
  certificate or 准予许可决定书, on denial a 不予许可决定书 with the reasons and remedies;
  rendered from the item's ``ResultTemplate`` (or the default), sealed by the officer who
  decided (who must be authorised for the seal and the item) and signed. One result per
  task: a second call returns the first. ``results_issue_for_case`` is the case-event hook,
  ``results_issue_missing`` the sweep that catches up.
- ``certificate_revoke`` (撤销), ``certificate_cancel`` (注销) and ``certificates_expire``
  (失效) move a certificate through ``states.CERTIFICATE_TRANSITIONS`` with a history row.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import EventKind, TaskState
from onestop.catalog.models import VillageClass
from onestop.certificates import keys, legal, signers
from onestop.certificates.documents import ResultData, result_pdf
from onestop.certificates.identifiers import InvalidIdentifier, licence_id_build
from onestop.certificates.models import (
    Certificate,
    CertificateEvent,
    LicenceMaterial,
    ResultTemplate,
    Seal,
    SealAuthorisation,
    SealPlaceAuthorisation,
    SerialCounter,
)
from onestop.certificates.seal_image import png_check, seal_png
from onestop.certificates.states import (
    EVENT_OF_STATE,
    CertificateEventKind,
    CertificateState,
    ResultKind,
    SealKind,
    transition_allowed,
)
from onestop.core import clock
from onestop.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from onestop.core.identifiers import validate_uscc
from onestop.regions.models import Department, Hall, HallKind

log = logging.getLogger(__name__)

# GB/T 38540 SES_ESPropertyInfo.type: 1 单位印章 … the kinds we draw map onto it.
SEAL_KIND_CODES: dict[str, int] = {
    SealKind.NAME: 1,
    SealKind.APPROVAL: 2,
    SealKind.INTAKE: 3,
    SealKind.BUSINESS: 4,
    SealKind.PERSONAL: 5,
}
DEFAULT_SEAL_YEARS = 5
# Decision letters' type codes: the issuer's USCC and these sequences (a licence type of its
# own comes from the item's template).
LETTER_SEQUENCE = {ResultKind.APPROVAL_LETTER: "901", ResultKind.DENIAL_LETTER: "902"}
LICENCE_SEQUENCE = "001"


def _require(actor: Staff | None, permission: Permission) -> None:
    """``None`` is the system (commands, the demo); a person needs the permission."""
    if actor is not None and not actor.has_permission(permission):
        raise PermissionDenied(_("您没有“%(p)s”的权限。") % {"p": permission.label})


# --- seals ------------------------------------------------------------------------------


@transaction.atomic
def seal_create(
    *,
    department: Department,
    kind: str = SealKind.APPROVAL,
    name: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    algorithm: str = keys.ECDSA_P256,
    image_png: bytes | None = None,
    actor: Staff | None = None,
) -> Seal:
    """Make a seal of a department: signing keys with certificates from the platform CA."""
    _require(actor, Permission.SEAL_MANAGE)
    if kind not in SealKind.values:
        raise ValidationFailed(_("没有这种印章类型。"), field="kind")
    if algorithm not in keys.ALGORITHMS:
        raise ValidationFailed(_("签名算法应为 ecdsa-p256 或 rsa-2048。"), field="algorithm")
    try:
        validate_uscc(department.uscc)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="department") from None
    start = valid_from or clock.today()
    end = valid_to or start.replace(year=start.year + DEFAULT_SEAL_YEARS)
    if end <= start:
        raise ValidationFailed(_("有效期止应晚于有效期起。"), field="valid_to")
    label = str(SealKind(kind).label)
    seal_name = (name or f"{department.name}{label}").strip()
    if image_png is not None:
        try:
            png_check(image_png)
        except (ValueError, OSError):
            raise ValidationFailed(
                _("印章图像应为 64–4000 像素、不超过 2 MB 的 PNG 图片。"), field="image"
            ) from None
    issued = keys.seal_key_create(
        common_name=seal_name,
        owner=department.name,
        uscc=department.uscc,
        valid_from=start,
        valid_to=end,
        algorithm=algorithm,
    )
    sm2_issued = keys.sm2_seal_key_create(
        common_name=seal_name, owner=department.name, valid_from=start, valid_to=end
    )
    seal = Seal(
        name=seal_name,
        department=department,
        owner_uscc=department.uscc,
        kind=kind,
        valid_from=start,
        valid_to=end,
        key_ref=issued.key_ref,
        key_algorithm=issued.algorithm,
        certificate_pem=issued.certificate_pem,
        sm2_key_ref=sm2_issued.key_ref,
        sm2_certificate=sm2_issued.certificate_der,
        es_id=f"{department.uscc}{SEAL_KIND_CODES[kind]:02d}{secrets.token_hex(4).upper()}",
        image_uploaded=image_png is not None,
    )
    png = image_png if image_png is not None else seal_png(owner=department.name, kind=label)
    seal.image.save("seal.png", ContentFile(png), save=False)
    seal.save()
    return seal


@transaction.atomic
def seal_import_key(
    *, seal_id: int, key_pem: bytes, certificate_pem: bytes, actor: Staff | None = None
) -> Seal:
    """Replace a seal's PAdES key with an externally issued key and certificate."""
    _require(actor, Permission.SEAL_MANAGE)
    seal = Seal.objects.select_for_update().filter(pk=seal_id).first()
    if seal is None:
        raise NotFound(_("印章不存在。"))
    try:
        issued = keys.key_import(key_pem=key_pem, certificate_pem=certificate_pem)
    except ValueError as exc:
        raise ValidationFailed(
            _("密钥与证书无法导入：%(e)s") % {"e": exc}, field="certificate"
        ) from None
    seal.key_ref = issued.key_ref
    seal.key_algorithm = issued.algorithm
    seal.certificate_pem = issued.certificate_pem
    seal.save(update_fields=["key_ref", "key_algorithm", "certificate_pem", "updated_at"])
    return seal


@transaction.atomic
def seal_authorise(
    *,
    seal_id: int,
    staff: Staff,
    item_code: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    granted_by: Staff | None = None,
) -> SealAuthorisation:
    """Let a staff member of the seal's department use it (for one item, or all items)."""
    _require(granted_by, Permission.SEAL_MANAGE)
    seal = Seal.objects.filter(pk=seal_id).first()
    if seal is None:
        raise NotFound(_("印章不存在。"))
    if not staff.has_permission(Permission.SEAL_USE):
        raise ValidationFailed(
            _("%(name)s 的角色不能使用电子印章。") % {"name": staff.name}, field="staff"
        )
    if staff.department_id != seal.department_id:
        raise ValidationFailed(_("只能授权印章所属部门的工作人员用章。"), field="staff")
    start = valid_from or clock.today()
    if valid_to is not None and valid_to < start:
        raise ValidationFailed(_("授权止应不早于授权起。"), field="valid_to")
    existing = _authorisations(staff, seal, item_code.strip(), start).first()
    if existing is not None and existing.valid_to == valid_to:
        return existing  # the same grant again changes nothing
    return SealAuthorisation.objects.create(
        staff=staff,
        seal=seal,
        item_code=item_code.strip(),
        valid_from=start,
        valid_to=valid_to,
        granted_by=granted_by,
    )


def _authorisations(
    staff: Staff, seal: Seal, item_code: str, on: dt.date
) -> QuerySet[SealAuthorisation]:
    return SealAuthorisation.objects.filter(
        Q(item_code="") | Q(item_code=item_code),
        Q(valid_to=None) | Q(valid_to__gte=on),
        staff=staff,
        seal=seal,
        revoked_at=None,
        valid_from__lte=on,
    ).order_by("-item_code", "-pk")


def seal_use_require(
    staff: Staff, seal: Seal, item_code: str, *, on: dt.date | None = None
) -> SealAuthorisation:
    """The authorisation that lets ``staff`` seal a result of this item now; else 403."""
    today = on or clock.today()
    if not staff.has_permission(Permission.SEAL_USE):
        raise PermissionDenied(_("您的角色不能使用电子印章。"))
    if not seal.is_active or not (seal.valid_from <= today <= seal.valid_to):
        raise PermissionDenied(_("印章“%(seal)s”不在有效期内或已停用。") % {"seal": seal.name})
    found = _authorisations(staff, seal, item_code, today).first()
    if found is None:
        raise PermissionDenied(
            _("%(name)s 未获授权为事项 %(item)s 使用“%(seal)s”。")
            % {"name": staff.name, "item": item_code, "seal": seal.name}
        )
    return found


@transaction.atomic
def seal_authorisation_revoke(*, authorisation_id: int, actor: Staff | None = None) -> None:
    """Withdraw a grant: from now on its staff member may not use the seal for it."""
    _require(actor, Permission.SEAL_MANAGE)
    grant = SealAuthorisation.objects.select_for_update().filter(pk=authorisation_id).first()
    if grant is None:
        raise NotFound(_("用章授权不存在。"))
    if grant.revoked_at is None:
        grant.revoked_at = clock.now()
        grant.save(update_fields=["revoked_at", "updated_at"])


# --- place-bound authorisations (办事不出村) ----------------------------------------------


def seal_place_authorisation_validate(
    *,
    seal: Seal,
    hall: Hall,
    document_number: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
) -> None:
    """The rules of a place-bound grant (also run by the admin form, next to the fields)."""
    if seal.kind != SealKind.APPROVAL:
        raise ValidationFailed(_("只能授权使用行政审批专用章。"), field="seal")
    if hall.kind != HallKind.VILLAGE_STATION:
        raise ValidationFailed(_("只能授权给村（社区）便民服务站。"), field="hall")
    if not hall.region.code.startswith(seal.department.region.code):
        raise ValidationFailed(
            _("“%(hall)s”不在“%(dept)s”的辖区内。")
            % {"hall": hall.name, "dept": seal.department.name},
            field="hall",
        )
    if not document_number.strip():
        raise ValidationFailed(_("请填写授权文号。"), field="document_number")
    if valid_to is None:
        raise ValidationFailed(_("请填写授权止日期。"), field="valid_to")
    if valid_to < valid_from:
        raise ValidationFailed(_("授权止应不早于授权起。"), field="valid_to")


@transaction.atomic
def seal_place_authorise(
    *,
    seal_id: int,
    hall_id: int,
    document_number: str,
    valid_to: dt.date,
    item_code: str = "",
    valid_from: dt.date | None = None,
    granted_by: Staff | None = None,
) -> SealPlaceAuthorisation:
    """Delegate a department's approval seal to a village centre for an item (or all), for a
    period, by a document; the same grant again returns the first."""
    _require(granted_by, Permission.SEAL_MANAGE)
    seal = Seal.objects.select_related("department__region").filter(pk=seal_id).first()
    if seal is None:
        raise NotFound(_("印章不存在。"))
    hall = Hall.objects.select_related("region").filter(pk=hall_id).first()
    if hall is None:
        raise NotFound(_("便民服务站不存在。"))
    start = valid_from or clock.today()
    seal_place_authorisation_validate(
        seal=seal,
        hall=hall,
        document_number=document_number,
        valid_from=start,
        valid_to=valid_to,
    )
    row, _created = SealPlaceAuthorisation.objects.get_or_create(
        seal=seal,
        hall=hall,
        item_code=item_code.strip(),
        document_number=document_number.strip(),
        valid_from=start,
        valid_to=valid_to,
        revoked_at=None,
        defaults={"granted_by": granted_by},
    )
    return row


@transaction.atomic
def seal_place_authorisation_revoke(*, authorisation_id: int, actor: Staff | None = None) -> None:
    """Withdraw a place-bound grant: from now on no result is sealed under it."""
    _require(actor, Permission.SEAL_MANAGE)
    grant = SealPlaceAuthorisation.objects.select_for_update().filter(pk=authorisation_id).first()
    if grant is None:
        raise NotFound(_("用章授权不存在。"))
    if grant.revoked_at is None:
        grant.revoked_at = clock.now()
        grant.save(update_fields=["revoked_at", "updated_at"])


def seal_place_require(
    seal: Seal, hall: Hall, item_code: str, *, on: dt.date | None = None
) -> SealPlaceAuthorisation:
    """The grant that lets a result of this item be sealed with ``seal`` at ``hall`` today;
    else 403 saying why (none for the item, outside its period, or withdrawn)."""
    today = on or clock.today()
    grants = list(
        SealPlaceAuthorisation.objects.filter(
            Q(item_code="") | Q(item_code=item_code), seal=seal, hall=hall
        ).order_by("-item_code", "-pk")
    )
    for grant in grants:
        if grant.revoked_at is None and grant.valid_from <= today <= grant.valid_to:
            return grant
    names = {"seal": seal.name, "hall": hall.name, "item": item_code}
    if not grants:
        raise PermissionDenied(_("“%(seal)s”未授权在“%(hall)s”为事项 %(item)s 出具结果。") % names)
    if all(g.revoked_at is not None for g in grants):
        raise PermissionDenied(
            _("“%(seal)s”在“%(hall)s”为事项 %(item)s 用章的授权（%(doc)s）已撤回。")
            % {**names, "doc": grants[0].document_number}
        )
    latest = grants[0]
    raise PermissionDenied(
        _(
            "“%(seal)s”在“%(hall)s”为事项 %(item)s 用章的授权（%(doc)s）有效期为 %(from)s 至 "
            "%(to)s，今日不在授权期内。"
        )
        % {
            **names,
            "doc": latest.document_number,
            "from": latest.valid_from.isoformat(),
            "to": latest.valid_to.isoformat(),
        }
    )


def _issued_at_centre(case: Case) -> Hall | None:
    """The village centre where this case's result is issued (村级直办 received at a
    便民服务站), else None: the department issues it as usual."""
    hall = case.hall
    package = case.package_version
    if hall is None or hall.kind != HallKind.VILLAGE_STATION or package is None:
        return None
    return hall if package.village_class == VillageClass.DIRECT else None


# --- result templates ----------------------------------------------------------------


@transaction.atomic
def result_template_save(
    *,
    item_code: str,
    title: str,
    kind: str = ResultKind.LICENCE,
    type_code: str = "",
    body: str = "",
    valid_years: int | None = None,
    actor: Staff | None = None,
) -> ResultTemplate:
    """Create or replace the template of an item's result (``item_code`` "" is the default)."""
    _require(actor, Permission.SEAL_MANAGE)
    if kind not in (ResultKind.LICENCE, ResultKind.APPROVAL_LETTER):
        raise ValidationFailed(_("模板只用于证照或准予许可决定书。"), field="kind")
    if not title.strip():
        raise ValidationFailed(_("请填写证照名称。"), field="title")
    if type_code:
        try:
            licence_id_build(type_code=type_code, issuer=type_code[:18], serial="1")
        except InvalidIdentifier as exc:
            raise ValidationFailed(exc.reason, field="type_code") from None
    if valid_years is not None and not 1 <= valid_years <= 100:
        raise ValidationFailed(_("有效期应为1–100年。"), field="valid_years")
    template, _created = ResultTemplate.objects.update_or_create(
        item_code=item_code.strip(),
        defaults={
            "title": title.strip(),
            "kind": kind,
            "type_code": type_code,
            "body": body,
            "valid_years": valid_years,
        },
    )
    return template


def licence_material_add(
    *, template_id: int, material_key: str, actor: Staff | None = None
) -> LicenceMaterial:
    """数据跑路: certificates of this template stand for the catalog material ``material_key``
    (``MaterialRequirement.key``) of their holder's later applications. Once per pair."""
    _require(actor, Permission.SEAL_MANAGE)
    key = material_key.strip()
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,64}", key):
        raise ValidationFailed(
            _("请填写申请材料的标识（字母、数字、下划线）。"), field="material_key"
        )
    template = ResultTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("结果模板不存在。"))
    row, _created = LicenceMaterial.objects.get_or_create(template=template, material_key=key)
    return row


# --- issuing results ---------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateChoice:
    kind: ResultKind
    title: str
    type_code: str
    body: str
    valid_years: int | None


def _template_for(task: ItemTask, *, approved: bool) -> TemplateChoice:
    issuer = task.department.uscc
    if not approved:
        return TemplateChoice(
            ResultKind.DENIAL_LETTER,
            str(ResultKind.DENIAL_LETTER.label),
            issuer + LETTER_SEQUENCE[ResultKind.DENIAL_LETTER],
            str(legal.DEFAULT_DENIAL_BODY),
            None,
        )
    template = (
        ResultTemplate.objects.filter(item_code__in=[task.item_code, ""])
        .order_by("-item_code")
        .first()
    )
    if template is None:
        return TemplateChoice(
            ResultKind.APPROVAL_LETTER,
            str(ResultKind.APPROVAL_LETTER.label),
            issuer + LETTER_SEQUENCE[ResultKind.APPROVAL_LETTER],
            str(legal.DEFAULT_APPROVAL_BODY),
            None,
        )
    kind = ResultKind(template.kind)
    if kind == ResultKind.DENIAL_LETTER:  # a template is for approvals; denials are letters
        kind = ResultKind.APPROVAL_LETTER
    default_body = (
        legal.DEFAULT_LICENCE_BODY if kind == ResultKind.LICENCE else legal.DEFAULT_APPROVAL_BODY
    )
    sequence = LICENCE_SEQUENCE if kind == ResultKind.LICENCE else LETTER_SEQUENCE[kind]
    return TemplateChoice(
        kind,
        template.title,
        template.type_code or issuer + sequence,
        template.body or str(default_body),
        template.valid_years,
    )


def _seal_for(
    task: ItemTask, officer: Staff | None, centre: Hall | None = None
) -> tuple[Seal, Staff]:
    """The seal the deciding officer is authorised to use for this item (an approval seal
    first), or 403 naming why nothing may be sealed. At a village centre the seal must also
    be authorised for that place (``seal_place_require``)."""
    if officer is None:
        raise PermissionDenied(_("子件没有决定人，无法用章。"))
    today = clock.today()
    seals = list(
        Seal.objects.filter(
            department_id=task.department_id,
            is_active=True,
            valid_from__lte=today,
            valid_to__gte=today,
        ).order_by("pk")
    )
    seals.sort(key=lambda s: (s.kind != SealKind.APPROVAL, s.pk))
    place_refusal: PermissionDenied | None = None
    for seal in seals:
        try:
            seal_use_require(officer, seal, task.item_code, on=today)
        except PermissionDenied:
            continue
        if centre is not None:
            try:
                seal_place_require(seal, centre, task.item_code, on=today)
            except PermissionDenied as exc:
                place_refusal = place_refusal or exc
                continue
        return seal, officer
    if place_refusal is not None:
        raise place_refusal
    raise PermissionDenied(
        _("%(name)s 没有为事项 %(item)s 用章的授权（%(dept)s）。")
        % {"name": officer.name, "item": task.item_code, "dept": task.department.name}
    )


def _serial_next(type_code: str, issuer: str, year: int) -> str:
    counter, _created = SerialCounter.objects.get_or_create(
        type_code=type_code, issuer_uscc=issuer, year=year
    )
    counter = SerialCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:07d}"


def certificate_verify_url(token: str) -> str:
    base = str(getattr(settings, "ONESTOP_CERTIFICATES_PUBLIC_URL", "")).rstrip("/")
    return f"{base}{reverse('certificates:verify', args=[token])}"


def seal_material(seal: Seal) -> signers.SealMaterial:
    with seal.image.open("rb") as f:
        png = f.read()
    return signers.SealMaterial(
        name=seal.name,
        owner=seal.department.name,
        es_id=seal.es_id,
        kind_code=SEAL_KIND_CODES.get(seal.kind, 4),
        key_ref=seal.key_ref,
        certificate_pem=seal.certificate_pem,
        sm2_key_ref=seal.sm2_key_ref,
        sm2_certificate=bytes(seal.sm2_certificate),
        image_png=png,
        image_size=(0, 0),
        valid_from=seal.valid_from,
        valid_to=seal.valid_to,
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def results_issue(*, task_id: int) -> Certificate:
    """Issue the result of a decided task once; a second call returns the first result."""
    existing = Certificate.objects.filter(task_id=task_id).first()
    if existing is not None:
        return existing
    try:
        return _issue(task_id)
    except IntegrityError:  # another process issued it first
        found = Certificate.objects.filter(task_id=task_id).first()
        if found is None:
            raise
        return found


@transaction.atomic
def _issue(task_id: int) -> Certificate:
    task = (
        ItemTask.objects.select_related(
            "case",
            "case__applicant",
            "case__hall",
            "case__package_version",
            "department",
            "decided_by",
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(_("子件不存在。"))
    if task.state not in (TaskState.APPROVED, TaskState.DENIED):
        raise IllegalTransition(_("子件尚未作出准予或不予许可的决定，不能出具结果。"))
    approved = task.state == TaskState.APPROVED
    seal, officer = _seal_for(task, task.decided_by, _issued_at_centre(task.case))
    choice = _template_for(task, approved=approved)
    case = task.case
    holder = case.applicant
    issuer = task.department
    now = clock.now()
    issued_on = clock.local(task.decided_at or now).date()
    serial = _serial_next(choice.type_code, issuer.uscc, issued_on.year)
    identifier = licence_id_build(type_code=choice.type_code, issuer=issuer.uscc, serial=serial)
    token = secrets.token_urlsafe(24)
    valid_until = (
        _add_years(issued_on, choice.valid_years) if choice.valid_years is not None else None
    )
    basis = legal.APPROVAL_BASIS if approved else legal.DENIAL_BASIS
    body = choice.body.format_map(
        _Defaulting(
            holder=holder.name,
            item=task.title,
            case_number=case.number or "",
            department=issuer.name,
            date=issued_on.isoformat(),
            basis=str(basis),
        )
    )
    data = ResultData(
        kind=choice.kind,
        title=choice.title,
        identifier=identifier,
        holder_name=holder.name,
        holder_identifier=holder.masked_identifier,
        item=task.title,
        case_number=case.number or "",
        issuer=issuer.name,
        issued_on=issued_on,
        body=body,
        verify_url=certificate_verify_url(token),
        seal_png=seal_material(seal).image_png,
        valid_until=valid_until,
        reasons=task.opinion if not approved else "",
    )
    material = seal_material(seal)
    reason = _("%(kind)s：%(item)s") % {"kind": choice.title, "item": task.title}
    signed = signers.sign_all(result_pdf(data), material, reason=reason)
    certificate = Certificate(
        identifier=identifier,
        kind=choice.kind,
        title=choice.title,
        holder=holder,
        case=case,
        task=task,
        item_code=task.item_code,
        issuer=issuer,
        seal=seal,
        signer=",".join(signed.signers),
        sha256=keys.sha256_hex(signed.pdf),
        sm2_signature=signed.sm2_signature,
        verify_token=token,
        state=CertificateState.VALID,
        issued_at=now,
        valid_until=valid_until,
        data={
            "holder": holder.name,
            "item": task.title,
            "case_number": case.number,
            "issued_on": issued_on.isoformat(),
            "sealed_by": officer.pk,
            "reasons": data.reasons,
        },
    )
    certificate.pdf.save(f"{serial}.pdf", ContentFile(signed.pdf), save=False)
    certificate.save()
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=CertificateEventKind.ISSUED,
        to_state=CertificateState.VALID,
        at=now,
        actor=officer,
    )
    return certificate


class _Defaulting(dict[str, str]):
    """Template placeholders: an unknown one prints as itself instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def results_issue_for_case(case_id: int, events: Sequence[CaseEvent]) -> None:
    """The case-event hook: issue the result of every task these events decided."""
    for event in events:
        task_id = (event.payload or {}).get("task")
        if not isinstance(task_id, int):
            continue
        try:
            results_issue(task_id=task_id)
        except PermissionDenied as exc:  # no authorised seal yet: the sweep issues it later
            log.info("result of task %s not issued: %s", task_id, exc.message)


def results_issue_missing(
    *, cases: QuerySet[Case] | None = None
) -> tuple[list[Certificate], list[tuple[int, str]]]:
    """The sweep: issue results for decided tasks without one; (issued, (task, why) not).
    ``cases``: only the tasks of these cases (default: every case)."""
    done = Certificate.objects.values("task_id")
    tasks = ItemTask.objects.filter(state__in=[TaskState.APPROVED, TaskState.DENIED])
    if cases is not None:
        tasks = tasks.filter(case__in=cases)
    task_ids = list(tasks.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True))
    issued: list[Certificate] = []
    failed: list[tuple[int, str]] = []
    for task_id in task_ids:
        try:
            issued.append(results_issue(task_id=task_id))
        except (PermissionDenied, IllegalTransition, NotFound) as exc:
            failed.append((task_id, exc.message))
    return issued, failed


# --- state changes -------------------------------------------------------------------------


def _may_change(actor: Staff, certificate: Certificate) -> None:
    if actor.has_permission(Permission.SEAL_MANAGE):
        return
    if actor.has_permission(Permission.SEAL_USE) and actor.department_id == certificate.issuer_id:
        return
    raise PermissionDenied(_("只有颁发部门或印章管理员可以变更证照状态。"))


def _move(
    *, certificate_id: int, to: CertificateState, actor: Staff | None, reason: str
) -> Certificate:
    certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFound(_("证照不存在。"))
    if actor is not None:
        _may_change(actor, certificate)
    if not transition_allowed(certificate.state, to):
        raise IllegalTransition(
            _("证照当前为“%(now)s”，不能改为“%(to)s”。")
            % {"now": CertificateState(certificate.state).label, "to": to.label}
        )
    before = certificate.state
    certificate.state = to
    certificate.save(update_fields=["state", "updated_at"])
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=EVENT_OF_STATE[to],
        from_state=before,
        to_state=to,
        at=clock.now(),
        actor=actor,
        reason=reason,
    )
    return certificate


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(_("请填写理由。"), field="reason")
    return text


@transaction.atomic
def certificate_revoke(*, certificate_id: int, actor: Staff, reason: str) -> Certificate:
    """撤销: the certificate should never have been issued; from now on it verifies as revoked."""
    return _move(
        certificate_id=certificate_id,
        to=CertificateState.REVOKED,
        actor=actor,
        reason=_reason(reason),
    )


@transaction.atomic
def certificate_cancel(*, certificate_id: int, actor: Staff, reason: str) -> Certificate:
    """注销: the holder gave the licence up or ceased to exist."""
    return _move(
        certificate_id=certificate_id,
        to=CertificateState.CANCELLED,
        actor=actor,
        reason=_reason(reason),
    )


def certificates_expire(*, today: dt.date | None = None) -> list[str]:
    """失效: valid certificates past their validity date; returns their identifiers."""
    day = today or clock.today()
    ids = list(
        Certificate.objects.filter(state=CertificateState.VALID, valid_until__lt=day).values_list(
            "pk", flat=True
        )
    )
    expired: list[str] = []
    for pk in ids:
        with transaction.atomic():
            try:
                certificate = _move(
                    certificate_id=pk,
                    to=CertificateState.EXPIRED,
                    actor=None,
                    reason=_("超过有效期"),
                )
            except IllegalTransition:  # changed meanwhile
                continue
        expired.append(certificate.identifier)
    return expired


__all__ = [
    "EventKind",
    "certificate_cancel",
    "certificate_revoke",
    "certificate_verify_url",
    "certificates_expire",
    "licence_material_add",
    "result_template_save",
    "results_issue",
    "results_issue_for_case",
    "results_issue_missing",
    "seal_authorisation_revoke",
    "seal_authorise",
    "seal_create",
    "seal_import_key",
    "seal_use_require",
]
