"""Writes for staff and applicants: one path each, validators run here, input normalised.

Errors are :class:`~onestop.core.errors.ValidationFailed` with the field and a Chinese
message saying which rule failed; ``details["rule"]`` carries the validator's code
(``id_check_digit``, ``uscc_charset`` …) for callers that branch on it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import (
    ApiClient,
    ApiScope,
    Applicant,
    ApplicantKind,
    PersonalDataRead,
    PersonalDataReadKind,
    Staff,
    User,
)
from onestop.accounts.validators import run_validator, validate_staff
from onestop.core import clock
from onestop.core.errors import ValidationFailed
from onestop.core.identifiers import (
    normalize_identifier,
    normalize_phone,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)
from onestop.core.masking import mask_name
from onestop.regions.models import Department, Hall, Region


def _clean_text(value: str) -> str:
    return " ".join(value.split())


# --- logins ------------------------------------------------------------------------------


def user_validate(*, username: str, password: str, name: str = "") -> None:
    """Refuse a taken or empty login name, or a password Django's validators reject."""
    if not username:
        raise ValidationFailed(_("请填写登录名。"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(
            _("登录名“%(u)s”已被使用，请换一个。") % {"u": username}, field="username"
        )
    if not password:
        raise ValidationFailed(_("请设置密码。"), field="password")
    try:
        validate_password(password, user=User(username=username, first_name=name))
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from None


@transaction.atomic
def user_create(
    *, username: str, password: str, name: str = "", email: str = "", can_use_admin: bool = False
) -> User:
    """Create a bare login (an applicant's, before registering): a free name and a password Django accepts."""
    username, name = username.strip(), _clean_text(name)
    user_validate(username=username, password=password, name=name)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username,
                password=password,
                email=email.strip(),
                first_name=name,
                is_staff=can_use_admin,
            )
    except IntegrityError:
        raise ValidationFailed(
            _("登录名“%(u)s”已被使用，请换一个。") % {"u": username}, field="username"
        ) from None


# --- staff -------------------------------------------------------------------------------


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    name: str,
    role: str,
    region: Region,
    department: Department | None = None,
    hall: Hall | None = None,
    phone: str = "",
    is_designated: bool = False,
    can_use_admin: bool = False,
) -> Staff:
    """Create a login and its staff profile; officers and chiefs need a department inside their region."""
    username, name, phone = username.strip(), _clean_text(name), normalize_phone(phone)
    validate_staff(
        name=name,
        role=role,
        region=region,
        department=department,
        hall=hall,
        phone=phone,
        is_designated=is_designated,
    )
    user_validate(username=username, password=password, name=name)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, password=password, first_name=name, is_staff=can_use_admin
            )
    except IntegrityError:  # a concurrent create took the name between check and insert
        raise ValidationFailed(
            _("登录名“%(u)s”已被使用，请换一个。") % {"u": username}, field="username"
        ) from None
    return Staff.objects.create(
        user=user,
        name=name,
        role=role,
        region=region,
        department=department,
        hall=hall,
        phone=phone,
        is_designated=is_designated,
    )


@transaction.atomic
def staff_update(
    *,
    staff: Staff,
    name: str,
    role: str,
    region: Region,
    department: Department | None = None,
    hall: Hall | None = None,
    phone: str = "",
    is_designated: bool = False,
) -> Staff:
    """Change a member's role or scope; the rules of ``staff_create`` still hold."""
    name, phone = _clean_text(name), normalize_phone(phone)
    validate_staff(
        name=name,
        role=role,
        region=region,
        department=department,
        hall=hall,
        phone=phone,
        is_designated=is_designated,
    )
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    staff.name = name
    staff.role = role
    staff.region = region
    staff.department = department
    staff.hall = hall
    staff.phone = phone
    staff.is_designated = is_designated
    staff.save(
        update_fields=[
            "name",
            "role",
            "region",
            "department",
            "hall",
            "phone",
            "is_designated",
            "updated_at",
        ]
    )
    return staff


@transaction.atomic
def staff_deactivate(*, staff: Staff) -> Staff:
    """Take a member off duty: they keep their history but can no longer log in or act."""
    staff = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    if not staff.is_active:
        return staff
    staff.is_active = False
    staff.save(update_fields=["is_active", "updated_at"])
    user = staff.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    return staff


@transaction.atomic
def staff_reactivate(*, staff: Staff) -> Staff:
    """Put a member back on duty and let them log in again."""
    staff = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    if staff.is_active:
        return staff
    staff.is_active = True
    staff.save(update_fields=["is_active", "updated_at"])
    user = staff.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    return staff


# --- applicants --------------------------------------------------------------------------


def _check_user_free(user: User | None) -> None:
    if user is not None and Applicant.objects.filter(user=user).exists():
        raise ValidationFailed(
            _("登录账号“%(u)s”已绑定一个申请人。") % {"u": user.username}, field="user"
        )


def applicant_validate_person(*, name: str, id_number: str, phone: str) -> None:
    """Refuse a person without a name, with a bad ID number or phone, or already registered."""
    if not name:
        raise ValidationFailed(_("请填写姓名。"), field="name")
    run_validator(validate_resident_id, id_number, field="id_number")
    run_validator(validate_mobile, phone, field="phone")
    existing = Applicant.objects.filter(kind=ApplicantKind.PERSON, id_number=id_number).first()
    if existing is not None:
        raise ValidationFailed(
            _("该身份证号码已登记为申请人（%(name)s），请直接使用已有记录。")
            % {"name": mask_name(existing.name)},
            field="id_number",
            rule="already_registered",
        )


def applicant_validate_enterprise(
    *,
    name: str,
    uscc: str,
    legal_representative: str,
    legal_representative_id_number: str,
    phone: str,
) -> None:
    """Refuse an enterprise with a bad or registered credit code, or a bad representative ID."""
    if not name:
        raise ValidationFailed(_("请填写单位名称。"), field="name")
    run_validator(validate_uscc, uscc, field="uscc")
    if not legal_representative:
        raise ValidationFailed(_("请填写法定代表人。"), field="legal_representative")
    if legal_representative_id_number:
        run_validator(
            validate_resident_id,
            legal_representative_id_number,
            field="legal_representative_id_number",
        )
    run_validator(validate_mobile, phone, field="phone")
    existing = Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE, uscc=uscc).first()
    if existing is not None:
        raise ValidationFailed(
            _("统一社会信用代码%(uscc)s已登记为申请人（%(name)s），请直接使用已有记录。")
            % {"uscc": uscc, "name": existing.name},
            field="uscc",
            rule="already_registered",
        )


def _create_applicant(**fields: object) -> Applicant:
    """Insert, turning a lost race on the unique identifier into the same clear error."""
    try:
        with transaction.atomic():
            return Applicant.objects.create(**fields)
    except IntegrityError:
        field = "id_number" if fields["kind"] == ApplicantKind.PERSON else "uscc"
        raise ValidationFailed(
            _("该申请人已登记（证件号码或登录账号重复），请直接使用已有记录。"),
            field=field,
            rule="already_registered",
        ) from None


@transaction.atomic
def applicant_register_person(
    *,
    name: str,
    id_number: str,
    phone: str,
    user: User | None = None,
    address: str = "",
    region: Region | None = None,
) -> Applicant:
    """Register a natural person by a valid 居民身份证号码 not registered before."""
    name = _clean_text(name)
    id_number, phone = normalize_identifier(id_number), normalize_phone(phone)
    applicant_validate_person(name=name, id_number=id_number, phone=phone)
    _check_user_free(user)
    return _create_applicant(
        kind=ApplicantKind.PERSON,
        name=name,
        id_number=id_number,
        phone=phone,
        user=user,
        address=_clean_text(address),
        region=region,
    )


@transaction.atomic
def applicant_register_enterprise(
    *,
    name: str,
    uscc: str,
    legal_representative: str,
    legal_representative_id_number: str = "",
    phone: str,
    user: User | None = None,
    address: str = "",
    region: Region | None = None,
) -> Applicant:
    """Register an enterprise or other organisation by a valid 统一社会信用代码 not registered before."""
    name, legal_representative = _clean_text(name), _clean_text(legal_representative)
    uscc = normalize_identifier(uscc)
    legal_representative_id_number = normalize_identifier(legal_representative_id_number)
    phone = normalize_phone(phone)
    applicant_validate_enterprise(
        name=name,
        uscc=uscc,
        legal_representative=legal_representative,
        legal_representative_id_number=legal_representative_id_number,
        phone=phone,
    )
    _check_user_free(user)
    return _create_applicant(
        kind=ApplicantKind.ENTERPRISE,
        name=name,
        uscc=uscc,
        legal_representative=legal_representative,
        legal_representative_id_number=legal_representative_id_number,
        phone=phone,
        user=user,
        address=_clean_text(address),
        region=region,
    )


@transaction.atomic
def applicant_update_contact(
    *,
    applicant: Applicant,
    name: str,
    phone: str,
    address: str = "",
    region: Region | None = None,
    legal_representative: str | None = None,
) -> Applicant:
    """Change an applicant's name and contact details; the identifier never changes."""
    name, phone = _clean_text(name), normalize_phone(phone)
    if not name:
        raise ValidationFailed(_("请填写姓名/名称。"), field="name")
    run_validator(validate_mobile, phone, field="phone")
    fields = ["name", "phone", "address", "region", "updated_at"]
    applicant.name = name
    applicant.phone = phone
    applicant.address = _clean_text(address)
    applicant.region = region
    if applicant.kind == ApplicantKind.ENTERPRISE and legal_representative is not None:
        legal_representative = _clean_text(legal_representative)
        if not legal_representative:
            raise ValidationFailed(_("请填写法定代表人。"), field="legal_representative")
        applicant.legal_representative = legal_representative
        fields.append("legal_representative")
    applicant.save(update_fields=fields)
    return applicant


def personal_data_read_record(
    *,
    staff: Staff,
    applicant_id: int,
    kind: PersonalDataReadKind | str,
    case_number: str = "",
    detail: str = "",
    address: str = "",
) -> PersonalDataRead:
    """Record that ``staff`` read this applicant's personal data (who, whose, where, when)."""
    return PersonalDataRead.objects.create(
        staff=staff,
        applicant_id=applicant_id,
        kind=PersonalDataReadKind(kind),
        case_number=case_number or "",
        detail=(detail or "")[:120],
        address=(address or "")[:64],
        at=clock.now(),
    )


# --- docking systems' API clients (OAuth 2.0 client credentials) -----------------------


@dataclass(frozen=True)
class ApiClientCreated:
    client: ApiClient
    secret: str  # shown once, to whoever created the client; only its hash is stored


def api_client_create(
    *, name: str, region: Region, scopes: Iterable[str], created_by: User | None = None
) -> ApiClientCreated:
    """A new docking system's credentials: a public client id and a secret."""
    name = _clean_text(name)
    if not name:
        raise ValidationFailed(_("请填写接口客户端的名称。"), field="name")
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationFailed(_("已有名为“%(n)s”的接口客户端。") % {"n": name}, field="name")
    wanted = sorted(set(scopes))
    unknown = [scope for scope in wanted if scope not in ApiScope.values]
    if not wanted or unknown:
        raise ValidationFailed(
            _("授权范围须取自：%(known)s。") % {"known": "、".join(ApiScope.values)},
            field="scopes",
        )
    secret = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name,
        client_id=f"osc_{secrets.token_hex(10)}",
        secret_hash=make_password(secret),
        region=region,
        scopes=wanted,
        created_by=created_by,
    )
    return ApiClientCreated(client, secret)


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> ApiClient:
    """Revoke a client: its secret and every token it holds stop working at once."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = clock.now()
        client.save(update_fields=["revoked_at", "updated_at"])
    return client
