"""The service catalogue: items (事项), their materials and steps, and packages (一件事).

Both items and packages have a stable identity (``ServiceItem``, ``Package``) and numbered
versions (``ServiceItemVersion``, ``PackageVersion``). Only a DRAFT version may change; publishing
freezes it and retires the previously published version, so at most one version of an identity
is published at a time and a case keeps the version it was accepted under. Every change goes
through ``onestop.catalog.services``; code tables follow GB/T 39046—2020 Annex A.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import TimestampedModel
from onestop.regions.models import Department
from onestop.workdays.units import DAY_UNIT_CHOICES, TimeUnit

# ---------------------------------------------------------------------------- code tables


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")


class ItemType(models.TextChoices):
    """事项类型, GB/T 39046 A.1 (values are the standard codes)."""

    ADMINISTRATIVE_POWER = "00", _("行政权力事项")
    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他类别事项")
    PUBLIC_SERVICE = "20", _("公共服务事项")


class ExerciseLevel(models.TextChoices):
    """行使层级, GB/T 39046 A.2."""

    NATIONAL = "1", _("国家级")
    PROVINCIAL = "2", _("省级")
    CITY = "3", _("市级")
    COUNTY = "4", _("县级")
    TOWNSHIP = "5", _("镇（乡、街道）级")
    VILLAGE = "6", _("村（社区）级")
    GRADED = "7", _("分级管理")


class CaseType(models.TextChoices):
    """办件类型, GB/T 39046 A.6."""

    IMMEDIATE = "1", _("即办件")
    PROMISED = "2", _("承诺件")
    OTHER = "9", _("其他")  # counted with a time limit, as a 承诺件 is


class OnlineDepth(models.IntegerChoices):
    """网上办理深度 Ⅰ–Ⅳ. Only Ⅳ (全程网办) has an official definition (跨省通办, 国办发〔2020〕35号)."""

    LEVEL_1 = 1, _("Ⅰ级 网上可查")
    LEVEL_2 = 2, _("Ⅱ级 表格下载/在线咨询")
    LEVEL_3 = 3, _("Ⅲ级 网上预审/网上申报")
    LEVEL_4 = 4, _("Ⅳ级 全程网办")


# Ⅲ级 (网上预审/网上申报) is the first depth at which an application can be made over the
# internet; Ⅰ and Ⅱ only publish the guide and the forms.
ONLINE_APPLICATION_DEPTH = OnlineDepth.LEVEL_3


class ServiceObject(models.TextChoices):
    """Who may apply, as the portal filters (derived from the A.4 codes, see
    ``ServiceObjectCode``); values match ``accounts.ApplicantKind``."""

    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人及其他组织")
    BOTH = "both", _("自然人和法人")


class ServiceObjectCode(models.TextChoices):
    """服务对象, GB/T 39046 A.4 (an item may serve several)."""

    NATURAL_PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    PUBLIC_INSTITUTION = "3", _("事业法人")
    SOCIAL_ORGANISATION = "4", _("社会组织法人")
    ADMINISTRATIVE_ORGAN = "5", _("行政机关")
    OTHER_ORGANISATION = "6", _("其他组织")


def service_object_of(codes: list[str]) -> str:
    """The portal's audience (``ServiceObject``) of a set of A.4 codes."""
    person = ServiceObjectCode.NATURAL_PERSON in codes
    organisation = any(code != ServiceObjectCode.NATURAL_PERSON for code in codes)
    if person and not organisation:
        return ServiceObject.PERSON
    if organisation and not person:
        return ServiceObject.ENTERPRISE
    return ServiceObject.BOTH


# The codes an audience stands for when a version names none (行政机关 do not apply here).
DEFAULT_SERVICE_OBJECT_CODES: dict[str, tuple[str, ...]] = {
    ServiceObject.PERSON: ("1",),
    ServiceObject.ENTERPRISE: ("2", "3", "4", "6"),
    ServiceObject.BOTH: ("1", "2", "3", "4", "6"),
}


class SubjectKind(models.TextChoices):
    """Who a package serves; values match ``accounts.ApplicantKind``."""

    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("企业")


class HandlingForm(models.TextChoices):
    """办理形式, GB/T 39046 A.5 (an item may have several)."""

    WINDOW = "1", _("窗口办理")
    ONLINE_PC = "2", _("电脑端网上办理")
    ONLINE_MOBILE = "3", _("移动端网上申请")
    POSTAL = "4", _("快递申请")
    OTHER = "9", _("其他")


class VillageClass(models.TextChoices):
    """How a village centre (村/社区便民服务站) may take a package (办事不出村).

    直办: taken and completed at the centre (the township back office decides online; the
    result is issued at the centre under the township's authorised seal); 代办: the centre
    takes it and its helper-agent carries it to the township or county; 协办: the centre
    helps the applicant apply (guidance, scanning), the application is the applicant's own.
    Blank: not taken at village centres.
    """

    DIRECT = "direct", _("村级直办")
    PROXY = "proxy", _("村级代办")
    ASSIST = "assist", _("村级协办")


# The longest minutes promise a package may make (beyond it, days are the unit).
MAX_PROMISED_MINUTES = 240


class CrossDomainScope(models.TextChoices):
    """通办范围 (GB/T 39046 表4 #33, plus 全市通办 used by counties and cities)."""

    NONE = "none", _("不通办")
    CITY_WIDE = "city_wide", _("全市通办")
    CROSS_COUNTY = "cross_county", _("跨县通办")
    CROSS_CITY = "cross_city", _("跨市通办")
    CROSS_PROVINCE = "cross_province", _("跨省通办")
    NATIONAL = "national", _("全国通办")

    @property
    def national_code(self) -> str | None:
        """The n1 code of 表4 #33, numbered in the order the standard lists the scopes
        (全国、跨省、跨市、跨县 → 1–4; DOMAIN.md §2.4). 不通办 and the local 全市通办 have none:
        an export leaves the field empty and sets 是否通办 from ``self != NONE``."""
        return CROSS_DOMAIN_SCOPE_CODES.get(self)


CROSS_DOMAIN_SCOPE_CODES: dict[str, str] = {
    CrossDomainScope.NATIONAL: "1",
    CrossDomainScope.CROSS_PROVINCE: "2",
    CrossDomainScope.CROSS_CITY: "3",
    CrossDomainScope.CROSS_COUNTY: "4",
}


class RoutingRule(models.TextChoices):
    """办理地规则: at which region the item's department system handles a case's item
    (docs/cross_domain.md). Blank on a package item: the package's rule."""

    ITEM_DEPARTMENT = "item_department", _("事项实施主体办理")
    APPLICANT_RESIDENCE = "applicant_residence", _("申请人户籍地（居住地）办理")
    ENTERPRISE_DOMICILE = "enterprise_domicile", _("企业住所地办理")
    RECEIVING_REGION = "receiving_region", _("收件地办理（权限下放）")


class OnlineReceivingRule(models.TextChoices):
    """收件地 of an online application that names none (docs/cross_domain.md)."""

    ITEM_DEFAULT = "item_default", _("事项默认（实施主体或牵头部门所在地）")
    APPLICANT_RESIDENCE = "applicant_residence", _("申请人所在地")


class MaterialForm(models.TextChoices):
    """原件/复印件 of a paper material; blank for a material submitted only electronically."""

    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ORIGINAL_AND_COPY = "original_and_copy", _("原件和复印件")
    ORIGINAL_OR_COPY = "original_or_copy", _("原件或复印件")


class MaterialMedium(models.TextChoices):
    """材料形式（介质）: kept apart from 原件/复印件, as the implementation lists do."""

    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    PAPER_AND_ELECTRONIC = "paper_electronic", _("纸质和电子")


# Media that include a paper copy, so that 原件/复印件 applies.
PAPER_MEDIA = frozenset({MaterialMedium.PAPER, MaterialMedium.PAPER_AND_ELECTRONIC})


class MaterialNecessity(models.TextChoices):
    """材料必要性. TOLERABLE = 容缺后补 (§5.1); COMMITMENT = 可告知承诺替代 (§5.2)."""

    REQUIRED = "required", _("必要")
    OPTIONAL = "optional", _("非必要")
    TOLERABLE = "tolerable", _("容缺后补")
    COMMITMENT = "commitment", _("可告知承诺替代")


class MaterialSource(models.TextChoices):
    """来源渠道: LICENCE means the government already holds it (调取电子证照, 免提交)."""

    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    LICENCE = "licence", _("政府部门核发（可调取电子证照）")
    ONLINE_FORM = "online_form", _("在线填报")
    OTHER = "other", _("其他")

    @property
    def national_code(self) -> str:
        """The 来源渠道 code of the implementation lists (DOMAIN.md §2.6: 0 申请人自备,
        1 政府部门核发, 2 其他); 在线填报 is what the applicant writes, so 0."""
        return MATERIAL_SOURCE_CODES[self]


MATERIAL_SOURCE_CODES: dict[str, str] = {
    MaterialSource.APPLICANT: "0",
    MaterialSource.ONLINE_FORM: "0",
    MaterialSource.GOVERNMENT: "1",
    MaterialSource.LICENCE: "1",
    MaterialSource.OTHER: "2",
}


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("单选")
    NUMBER = "number", _("数值")


class FieldKind(models.TextChoices):
    TEXT = "text", _("单行文本")
    TEXTAREA = "textarea", _("多行文本")
    NUMBER = "number", _("数值")
    MONEY = "money", _("金额（元）")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单选")
    YES_NO = "yes_no", _("是/否")
    PHONE = "phone", _("电话号码")
    EMAIL = "email", _("电子邮箱")
    ID_NUMBER = "id_number", _("居民身份证号码")
    USCC = "uscc", _("统一社会信用代码")
    ADDRESS = "address", _("地址")


CONDITION_HELP = _(
    'JSON 条件，留空表示始终适用。示例：{"question": "area_sqm", "op": ">=", "value": 50}；'
    '组合：{"all": [...]}、{"any": [...]}、{"not": {...}}；运算符：==、!=、>、>=、<、<=、in。'
)


class VersionedModel(TimestampedModel):
    """A version of a catalog entry: draft → published (immutable) → retired."""

    version = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("废止时间"), null=True, blank=True)

    class Meta:
        abstract = True


# ---------------------------------------------------------------------------------- items


class ServiceItem(TimestampedModel):
    """The stable identity of an item (事项) across its versions, keyed by 基本编码."""

    basic_code = models.CharField(_("基本编码"), max_length=32, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["basic_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.basic_code}）"


class ServiceItemVersion(VersionedModel):
    """One version of an item's implementation list (实施清单); frozen once published."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions"
    )

    # identity
    name = models.CharField(_("事项名称"), max_length=200)
    implementation_code = models.CharField(_("实施编码"), max_length=64, blank=True)
    handling_item_code = models.CharField(_("业务办理项编码"), max_length=64, blank=True)

    # legal
    item_type = models.CharField(
        _("事项类型"), max_length=2, choices=ItemType.choices, default=ItemType.LICENSING
    )
    exercise_level = models.CharField(
        _("行使层级"), max_length=1, choices=ExerciseLevel.choices, default=ExerciseLevel.COUNTY
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)

    # subject
    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        on_delete=models.PROTECT,
        related_name="item_versions",
    )

    # time
    legal_limit = models.PositiveIntegerField(_("法定办结时限"), default=20)
    legal_limit_unit = models.CharField(
        _("法定时限单位"), max_length=16, choices=DAY_UNIT_CHOICES, default=TimeUnit.WORKDAY
    )
    promised_days = models.PositiveIntegerField(_("承诺办结时限"), default=5)
    promised_unit = models.CharField(
        _("承诺时限单位"), max_length=16, choices=DAY_UNIT_CHOICES, default=TimeUnit.WORKDAY
    )
    case_type = models.CharField(
        _("办件类型"), max_length=1, choices=CaseType.choices, default=CaseType.PROMISED
    )

    # handling
    conditions = models.TextField(_("受理条件"), blank=True)
    visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    visit_reason = models.TextField(_("必须现场办理原因说明"), blank=True)
    online_depth = models.PositiveSmallIntegerField(
        _("网上办理深度"),
        choices=OnlineDepth.choices,
        default=OnlineDepth.LEVEL_3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_(
            "Ⅳ级（全程网办）指申请受理、审查决定、颁证送达全流程网上办理，到现场次数为 0。"
            "Ⅰ–Ⅲ级的官方表述尚未查到，此处采用通行理解（Ⅰ网上可查、Ⅱ表格下载/在线咨询、"
            "Ⅲ网上预审/申报）。"
        ),
    )
    service_object = models.CharField(
        _("服务对象"), max_length=16, choices=ServiceObject.choices, default=ServiceObject.BOTH
    )
    service_object_codes = models.JSONField(
        _("服务对象代码"),
        default=list,
        blank=True,
        help_text=_(
            "GB/T 39046 A.4 代码列表：1 自然人、2 企业法人、3 事业法人、4 社会组织法人、"
            "5 行政机关、6 其他组织。须与“服务对象”一致。"
        ),
    )
    handling_forms = models.JSONField(
        _("办理形式"),
        default=list,
        blank=True,
        help_text=_(
            "GB/T 39046 A.5 代码列表：1 窗口办理、2 电脑端网上办理、3 移动端网上申请、4 快递申请、9 其他。"
        ),
    )

    # fees
    has_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    supports_online_payment = models.BooleanField(_("支持网上支付"), default=False)

    # scope and convenience
    cross_domain_scope = models.CharField(
        _("通办范围"),
        max_length=16,
        choices=CrossDomainScope.choices,
        default=CrossDomainScope.NONE,
    )
    supports_appointment = models.BooleanField(_("支持预约办理"), default=False)
    supports_postal_delivery = models.BooleanField(_("支持结果邮寄"), default=False)
    supports_material_mail = models.BooleanField(_("支持申报材料邮寄"), default=False)

    # guide texts
    place = models.CharField(_("办理地点"), max_length=255, blank=True)
    office_hours = models.CharField(_("办理时间"), max_length=255, blank=True)
    consultation_phone = models.CharField(_("咨询电话"), max_length=64, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=64, blank=True)
    result_name = models.CharField(_("审批结果名称"), max_length=200, blank=True)
    result_delivery = models.CharField(_("结果送达方式"), max_length=255, blank=True)
    commitment_text = models.TextField(
        _("告知承诺书"),
        blank=True,
        help_text=_("申请人以告知承诺代替材料时签署的承诺内容；留空则使用默认文本。"),
    )

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item__basic_code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="catalog_item_version_unique"),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="published"),
                name="catalog_item_one_published_version",
            ),
            models.CheckConstraint(
                condition=models.Q(online_depth__gte=1, online_depth__lte=4),
                name="catalog_item_online_depth_1_to_4",
            ),
        ]

    def clean(self) -> None:
        """The A.4 codes are the record; ``service_object`` (the portal's audience) follows
        them. A version that names no codes gets those of its audience."""
        codes = self.service_object_codes
        if not isinstance(codes, list) or not codes:
            self.service_object_codes = list(DEFAULT_SERVICE_OBJECT_CODES[self.service_object])
            return
        invalid = [str(c) for c in codes if c not in ServiceObjectCode.values]
        if invalid:
            raise ValidationError(
                {
                    "service_object_codes": _("服务对象代码无效：%(codes)s")
                    % {"codes": "、".join(invalid)}
                }
            )
        self.service_object_codes = sorted(set(codes))
        self.service_object = service_object_of(self.service_object_codes)

    @property
    def applies_online(self) -> bool:
        """Whether the item takes applications over the internet (depth Ⅲ and above)."""
        return self.online_depth >= ONLINE_APPLICATION_DEPTH

    def offers_form(self, form: str) -> bool:
        """Whether 办理形式 ``form`` is listed; an item that lists none is not restricted."""
        forms = self.handling_forms if isinstance(self.handling_forms, list) else []
        return not forms or str(form) in forms

    def __str__(self) -> str:
        return f"{self.name} v{self.version}（{self.get_status_display()}）"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class FeeItem(models.Model):
    """收费项目 of an item version."""

    item_version = models.ForeignKey(
        ServiceItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.CASCADE,
        related_name="fees",
    )
    name = models.CharField(_("收费项目名称"), max_length=200)
    standard = models.CharField(_("收费标准"), max_length=255, blank=True)
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("按件固定收费时填写，用于合计；按标准计算的留空。"),
    )
    basis = models.TextField(_("收费依据"), blank=True)
    allows_reduction = models.BooleanField(_("允许减免"), default=False)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["item_version", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """办理流程 step (受理, 审查, 决定, 制证, 送达 …) with its own time limit."""

    item_version = models.ForeignKey(
        ServiceItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    name = models.CharField(_("环节名称"), max_length=64)
    handling_office = models.CharField(_("办理处室"), max_length=128, blank=True)
    limit_days = models.PositiveIntegerField(_("环节时限"), default=1)
    limit_unit = models.CharField(
        _("时限单位"), max_length=16, choices=DAY_UNIT_CHOICES, default=TimeUnit.WORKDAY
    )
    has_special_procedure = models.BooleanField(_("有特别程序"), default=False)
    special_procedure_note = models.TextField(_("特别程序说明"), blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["item_version", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class MaterialRequirement(models.Model):
    """申请材料 of an item version. ``key`` names the same proof across items (id_card …)."""

    item_version = models.ForeignKey(
        ServiceItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    key = models.SlugField(
        _("材料标识"),
        max_length=64,
        help_text=_(
            "同一种材料在各事项中使用同一标识（如 id_card、business_licence），用于合并去重。"
        ),
    )
    name = models.CharField(_("材料名称"), max_length=200)
    medium = models.CharField(
        _("材料形式"), max_length=16, choices=MaterialMedium.choices, default=MaterialMedium.PAPER
    )
    form = models.CharField(
        _("原件/复印件"),
        max_length=24,
        choices=MaterialForm.choices,
        default=MaterialForm.ORIGINAL,
        blank=True,
        help_text=_("纸质材料填写；仅电子材料时留空。"),
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    necessity = models.CharField(
        _("必要性"),
        max_length=16,
        choices=MaterialNecessity.choices,
        default=MaterialNecessity.REQUIRED,
    )
    source = models.CharField(
        _("来源渠道"),
        max_length=16,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    licence_type = models.CharField(
        _("电子证照类型"), max_length=128, blank=True, help_text=_("来源为政府部门核发时填写。")
    )
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/", blank=True)
    notes = models.TextField(_("填报须知"), blank=True)
    condition = models.JSONField(_("适用情形"), null=True, blank=True, help_text=CONDITION_HELP)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item_version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_version", "key"], name="catalog_material_key_unique_in_version"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """原件/复印件 applies to paper only: required for paper, empty for electronic."""
        if self.medium in PAPER_MEDIA:
            if not self.form:
                raise ValidationError({"form": _("纸质材料须注明原件或复印件。")})
        else:
            self.form = ""


# ------------------------------------------------------------------------------- packages


class Package(TimestampedModel):
    """The stable identity of a package (一件事) across its versions."""

    code = models.CharField(_("一件事编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PackageVersion(VersionedModel):
    """One version of a package: items, their DAG, situations, merged form; frozen once published."""

    package = models.ForeignKey(
        Package, verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="versions"
    )

    name = models.CharField(_("名称"), max_length=200, help_text=_("如：我要开办企业"))
    summary = models.TextField(_("简介"), blank=True)
    subject_kind = models.CharField(
        _("服务对象"), max_length=16, choices=SubjectKind.choices, default=SubjectKind.ENTERPRISE
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_package_versions",
    )
    promised_days = models.PositiveIntegerField(_("承诺办结时限"), default=5)
    promised_unit = models.CharField(
        _("承诺时限单位"), max_length=16, choices=DAY_UNIT_CHOICES, default=TimeUnit.WORKDAY
    )
    sla_days = models.PositiveSmallIntegerField(
        _("限时办结（工作日）"),
        null=True,
        blank=True,
        help_text=_(
            "“2、5、6”限时办结：从提交申请到办结不超过的工作日数，如企业开办 2、不动产登记 5、"
            "工程建设项目审批按省定时限；留空则不计入限时办结统计。"
        ),
    )
    village_class = models.CharField(
        _("村级办理"),
        max_length=8,
        choices=VillageClass.choices,
        blank=True,
        help_text=_("村（社区）便民服务站可否及如何受理：直办、代办、协办；留空则不在村级受理。"),
    )
    promised_minutes = models.PositiveSmallIntegerField(
        _("承诺办结时限（分钟）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PROMISED_MINUTES)],
        help_text=_(
            "“立等可取”的分钟数（如 30），自受理起按自然分钟计；设定后办件与子件按分钟计时，"
            "仅限村级直办的一件事。留空则按上方的承诺办结时限。"
        ),
    )
    life_event = models.CharField(
        _("主题分类"),
        max_length=32,
        blank=True,
        help_text=_("如：企业开办、就业创业、社会保障、不动产、复工复产"),
    )
    keywords = models.TextField(
        _("搜索关键词"), blank=True, help_text=_("同义词，以空格分隔，如：开饭店 开餐馆 开公司")
    )
    is_policy_package = models.BooleanField(_("政策兑现类"), default=False)
    routing_rule = models.CharField(
        _("办理地规则"),
        max_length=24,
        choices=RoutingRule.choices,
        default=RoutingRule.ITEM_DEPARTMENT,
        help_text=_(
            "各事项由哪里的同系统部门办理：实施主体（默认）、申请人户籍地、企业住所地或收件地"
            "（权限下放）；事项可单独设置。受事项通办范围和行使层级约束。"
        ),
    )
    online_receiving_rule = models.CharField(
        _("网上申请收件地"),
        max_length=24,
        choices=OnlineReceivingRule.choices,
        default=OnlineReceivingRule.ITEM_DEFAULT,
        help_text=_("申请人未选择收件地时：牵头部门所在地（默认）或申请人所在地。"),
    )
    commitment_text = models.TextField(
        _("告知承诺书"),
        blank=True,
        help_text=_("申请人以告知承诺代替材料时签署的承诺内容；留空则使用默认文本。"),
    )

    class Meta:
        verbose_name = _("一件事版本")
        verbose_name_plural = _("一件事版本")
        ordering = ["package__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "version"], name="catalog_package_version_unique"
            ),
            models.UniqueConstraint(
                fields=["package"],
                condition=models.Q(status="published"),
                name="catalog_package_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}（{self.get_status_display()}）"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def clean(self) -> None:
        """A minutes promise is made at the counter: only a package completed at the
        village centre (村级直办) may make one."""
        if self.promised_minutes is not None and self.village_class != VillageClass.DIRECT:
            raise ValidationError({"promised_minutes": _("只有村级直办的一件事可以设定分钟时限。")})


class PackageItem(models.Model):
    """A component item of a package, named by identity; a case pins its published version."""

    package_version = models.ForeignKey(
        PackageVersion,
        verbose_name=_("一件事版本"),
        on_delete=models.CASCADE,
        related_name="package_items",
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="package_items"
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    condition = models.JSONField(_("适用情形"), null=True, blank=True, help_text=CONDITION_HELP)
    handling_note = models.TextField(_("办理说明"), blank=True)
    routing_rule = models.CharField(
        _("办理地规则"),
        max_length=24,
        choices=RoutingRule.choices,
        blank=True,
        help_text=_("留空则按一件事的办理地规则。"),
    )

    class Meta:
        verbose_name = _("联办事项")
        verbose_name_plural = _("联办事项")
        ordering = ["package_version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["package_version", "item"], name="catalog_package_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.item.name


class PackageDependency(models.Model):
    """``after`` may start only once ``before`` is approved (an edge of the package DAG)."""

    package_version = models.ForeignKey(
        PackageVersion,
        verbose_name=_("一件事版本"),
        on_delete=models.CASCADE,
        related_name="dependencies",
    )
    before = models.ForeignKey(
        PackageItem,
        verbose_name=_("前置事项"),
        on_delete=models.CASCADE,
        related_name="dependents",
    )
    after = models.ForeignKey(
        PackageItem,
        verbose_name=_("后续事项"),
        on_delete=models.CASCADE,
        related_name="prerequisites",
    )

    class Meta:
        verbose_name = _("前置关系")
        verbose_name_plural = _("前置关系")
        ordering = ["package_version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["before", "after"], name="catalog_dependency_unique"),
            models.CheckConstraint(
                condition=~models.Q(before=models.F("after")),
                name="catalog_dependency_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.before} → {self.after}"


class SituationQuestion(models.Model):
    """情形 question asked before applying; answers select items, materials and form fields."""

    package_version = models.ForeignKey(
        PackageVersion,
        verbose_name=_("一件事版本"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    key = models.SlugField(_("标识"), max_length=64)
    text = models.CharField(_("问题"), max_length=255)
    kind = models.CharField(
        _("类型"), max_length=16, choices=QuestionKind.choices, default=QuestionKind.YES_NO
    )
    choices = models.JSONField(
        _("选项"),
        default=list,
        blank=True,
        help_text=_('单选题的选项：[{"value": "retail", "label": "零售"}, …]'),
    )
    unit = models.CharField(_("单位"), max_length=16, blank=True, help_text=_("如 ㎡、万元"))
    help_text = models.TextField(_("说明"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("情形问题")
        verbose_name_plural = _("情形问题")
        ordering = ["package_version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["package_version", "key"], name="catalog_question_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class FormField(models.Model):
    """A field of the merged application form (一表申请) of a package version."""

    package_version = models.ForeignKey(
        PackageVersion,
        verbose_name=_("一件事版本"),
        on_delete=models.CASCADE,
        related_name="form_fields",
    )
    key = models.SlugField(_("标识"), max_length=64)
    label = models.CharField(_("标签"), max_length=128)
    kind = models.CharField(
        _("类型"), max_length=16, choices=FieldKind.choices, default=FieldKind.TEXT
    )
    required = models.BooleanField(_("必填"), default=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    max_length = models.PositiveIntegerField(_("最大长度"), null=True, blank=True)
    help_text = models.CharField(_("填写说明"), max_length=255, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    items = models.ManyToManyField(
        PackageItem,
        verbose_name=_("使用该字段的事项"),
        blank=True,
        related_name="form_fields",
    )
    condition = models.JSONField(_("适用情形"), null=True, blank=True, help_text=CONDITION_HELP)

    class Meta:
        verbose_name = _("表单字段")
        verbose_name_plural = _("表单字段")
        ordering = ["package_version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["package_version", "key"], name="catalog_form_field_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label
