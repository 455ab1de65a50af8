"""Users, staff (with role and scope) and applicants (natural persons and enterprises)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.accounts import validators
from onestop.accounts.roles import Permission, Role, permissions_of
from onestop.core.errors import ValidationFailed
from onestop.core.masking import mask_id_number, mask_phone
from onestop.core.models import TimestampedModel


class User(AbstractUser):
    """A login. Staff and applicants are profiles attached to it."""

    class Meta(AbstractUser.Meta):
        verbose_name = _("登录账号")
        verbose_name_plural = _("登录账号")


class Staff(TimestampedModel):
    """A member of staff: one role, scoped to a region subtree (and a department for officers)."""

    user = models.OneToOneField(
        User, verbose_name=_("登录账号"), on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=64)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("管辖区划"),
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("可操作该区划及其下级区划的业务。"),
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    hall = models.ForeignKey(
        "regions.Hall",
        verbose_name=_("所在大厅"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    is_designated = models.BooleanField(
        _("部门专人"),
        default=False,
        help_text=_("部门指定的“一件事”专人：就绪的子件优先分派给他。"),
    )
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["region__code", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    def clean(self) -> None:
        """``validate_staff``, the rules ``staff_create`` runs, shown next to the fields."""
        if not self.role or not self.region_id:
            return  # a required field is empty: the field's own error says so
        try:
            validators.validate_staff(
                name=self.name,
                role=self.role,
                region=self.region,
                department=self.department if self.department_id else None,
                hall=self.hall if self.hall_id else None,
                phone=self.phone,
                is_designated=self.is_designated,
            )
        except ValidationFailed as exc:
            raise ValidationError({exc.field or NON_FIELD_ERRORS: exc.message}) from None

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role)

    def has_permission(self, permission: Permission) -> bool:
        return self.is_active and permission in self.permissions

    def covers(self, region_code: str) -> bool:
        """Whether a region (by code) lies in this member's scope."""
        return region_code.startswith(self.region.code)


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人及其他组织")


class Applicant(TimestampedModel):
    """Who applies: a natural person (居民身份证) or an enterprise (统一社会信用代码)."""

    kind = models.CharField(_("类型"), max_length=16, choices=ApplicantKind.choices)
    user = models.OneToOneField(
        User,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicant",
    )
    name = models.CharField(_("姓名/名称"), max_length=128)
    id_number = models.CharField(
        _("居民身份证号码"),
        max_length=18,
        blank=True,
        validators=[validators.validate_resident_id],
    )
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validators.validate_uscc],
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    legal_representative_id_number = models.CharField(
        _("法定代表人身份证号码"),
        max_length=18,
        blank=True,
        validators=[validators.validate_resident_id],
    )
    phone = models.CharField(
        _("手机号"), max_length=11, blank=True, validators=[validators.validate_mobile]
    )
    address = models.CharField(_("通讯地址"), max_length=255, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicants",
    )

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(kind="person"),
                name="applicant_unique_person_id_number",
            ),
            models.UniqueConstraint(
                fields=["uscc"],
                condition=models.Q(kind="enterprise"),
                name="applicant_unique_enterprise_uscc",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="person", id_number__gt="")
                    | models.Q(kind="enterprise", uscc__gt="")
                ),
                name="applicant_has_identifier",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.id_number if self.kind == ApplicantKind.PERSON else self.uscc

    @property
    def masked_identifier(self) -> str:
        if self.kind == ApplicantKind.PERSON:
            return mask_id_number(self.id_number)
        return self.uscc  # a USCC is public (printed on the business licence)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class PersonalDataReadKind(models.TextChoices):
    """Where a member of staff read an applicant's personal data."""

    CASE_DESK = "case_desk", _("查看办件（窗口）")
    TASK_DESK = "task_desk", _("查看子件（部门）")
    MATERIAL_FILE = "material_file", _("查看申请材料文件")
    API_CASE = "api_case", _("接口读取办件")
    APPLICANT_LOOKUP = "applicant_lookup", _("按证件号查询申请人")


class PersonalDataRead(models.Model):
    """One reading of an applicant's personal data by a member of staff (等保三级 审计).

    Written on every page or API answer that shows staff the applicant's unmasked data or
    files; never changed; kept for the audit period (``ONESTOP_PERSONAL_DATA_LOG_DAYS``).
    """

    staff = models.ForeignKey(
        Staff, verbose_name=_("工作人员"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("查看方式"), max_length=24, choices=PersonalDataReadKind.choices)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    detail = models.CharField(_("查看内容"), max_length=120, blank=True)
    address = models.CharField(_("访问地址"), max_length=64, blank=True)
    at = models.DateTimeField(_("查看时间"), db_index=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["applicant", "-at"], name="accounts_pdr_applicant_at")]

    def __str__(self) -> str:
        return f"{self.staff} → {self.applicant} ({self.get_kind_display()})"


class ApiScope(models.TextChoices):
    """What a docking system's client-credentials token may read (``ApiClient.scopes``)."""

    CASES_READ = "cases:read", _("读取办件（检索、按编号、详情）")
    EVENTS_READ = "events:read", _("订阅办件变更事件")
    TASKS_READ = "tasks:read", _("读取部门子件")


class ApiClient(TimestampedModel):
    """A docking system (a provincial platform, a department's own system) calling the API
    with its own credentials (OAuth 2.0 client credentials, ``POST /api/auth/client-token``).

    It reads, within its scopes, what a supervisor (电子监察) of its region reads: every case
    accepted or handled in the region subtree, personal data masked. The secret is stored
    hashed (Django's password hasher) and shown once, when the client is created; revoking
    the client ends every token it holds at once.
    """

    name = models.CharField(_("名称"), max_length=64, unique=True)
    client_id = models.CharField(_("客户端标识"), max_length=40, unique=True)
    secret_hash = models.CharField(_("密钥（散列）"), max_length=256)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("数据范围（区划）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scopes = models.JSONField(_("授权范围"), default=list)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def viewer(self) -> Staff:
        """The scope the client reads with: a supervisor's of its region (never saved; it
        holds no login and receives no message)."""
        return Staff(
            name=self.name, role=Role.SUPERVISOR, region=self.region, is_active=self.is_active
        )
