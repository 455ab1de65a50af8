"""电子证照与电子印章: seals, who may use them, result templates, certificates and their history.

Every change goes through ``certificates.services``. A seal's private keys are files in the
key directory (``certificates/keys.py``); the rows hold their file names and the public
certificates only.
"""

from __future__ import annotations

import posixpath

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.certificates.states import (
    CertificateEventKind,
    CertificateState,
    ResultKind,
    SealKind,
)
from onestop.core.models import TimestampedModel


def _seal_image_path(instance: Seal, filename: str) -> str:
    return f"certificates/seals/{instance.department_id}-{instance.kind}-{instance.key_ref}.png"


class Seal(TimestampedModel):
    """An electronic seal (电子印章) of a department: name, owner, kind, image, keys."""

    name = models.CharField(_("印章名称"), max_length=128)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("所有者"),
        on_delete=models.PROTECT,
        related_name="seals",
    )
    owner_uscc = models.CharField(_("所有者统一社会信用代码"), max_length=18)
    kind = models.CharField(_("印章类型"), max_length=16, choices=SealKind.choices)
    image = models.FileField(_("印章图像"), upload_to=_seal_image_path, max_length=255)
    image_uploaded = models.BooleanField(_("上传的图像"), default=False)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    is_active = models.BooleanField(_("启用"), default=True)
    key_ref = models.CharField(
        _("签名密钥文件"), max_length=64, help_text=_("密钥目录中的文件名，不是密钥本身。")
    )
    key_algorithm = models.CharField(_("签名算法"), max_length=16)
    certificate_pem = models.TextField(_("签名证书（PEM）"))
    sm2_key_ref = models.CharField(_("SM2 密钥文件"), max_length=64, blank=True)
    sm2_certificate = models.BinaryField(_("SM2 签名证书（DER）"), blank=True, default=b"")
    es_id = models.CharField(_("印章唯一编码"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")
        ordering = ["department__name", "kind"]

    def __str__(self) -> str:
        return self.name


class SealAuthorisation(TimestampedModel):
    """A staff member may use a seal (for one item, or any item when ``item_code`` is empty)."""

    staff = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("用章人"),
        on_delete=models.PROTECT,
        related_name="seal_authorisations",
    )
    seal = models.ForeignKey(
        Seal, verbose_name=_("印章"), on_delete=models.PROTECT, related_name="authorisations"
    )
    item_code = models.CharField(
        _("事项基本编码"), max_length=32, blank=True, help_text=_("为空表示该印章的所有事项。")
    )
    valid_from = models.DateField(_("授权起"))
    valid_to = models.DateField(_("授权止"), null=True, blank=True)
    granted_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用章授权")
        verbose_name_plural = _("用章授权")
        indexes = [models.Index(fields=["staff", "seal"], name="sealauth_staff_seal")]

    def __str__(self) -> str:
        return f"{self.staff} / {self.seal} / {self.item_code or '*'}"


class SealPlaceAuthorisation(TimestampedModel):
    """办事不出村: a department lets its seal be used for results issued at a village centre.

    The township delegates its 行政审批专用章 to a village centre (a hall of kind 便民服务站)
    for some items (``item_code`` empty: every item) from ``valid_from`` to ``valid_to``, by
    a document (文号). A result of a 村级直办 case received at that centre is sealed only
    under a current one (``services.seal_place_require``).
    """

    seal = models.ForeignKey(
        Seal, verbose_name=_("印章"), on_delete=models.PROTECT, related_name="place_authorisations"
    )
    hall = models.ForeignKey(
        "regions.Hall",
        verbose_name=_("便民服务站"),
        on_delete=models.PROTECT,
        related_name="seal_authorisations",
    )
    item_code = models.CharField(
        _("事项基本编码"), max_length=32, blank=True, help_text=_("为空表示该印章的所有事项。")
    )
    document_number = models.CharField(
        _("授权文号"), max_length=64, help_text=_("授权委托书的文号，如 赫政审授〔2026〕3号。")
    )
    valid_from = models.DateField(_("授权起"))
    valid_to = models.DateField(_("授权止"))
    granted_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用章授权（便民服务站）")
        verbose_name_plural = _("用章授权（便民服务站）")
        indexes = [models.Index(fields=["hall", "seal"], name="sealplace_hall_seal")]

    def __str__(self) -> str:
        return f"{self.hall} / {self.seal} / {self.item_code or '*'}（{self.document_number}）"


class ResultTemplate(TimestampedModel):
    """How an item's result looks: its kind, title, licence type code and wording.

    ``item_code`` empty is the default template, used for items without their own.
    """

    item_code = models.CharField(_("事项基本编码"), max_length=32, unique=True, blank=True)
    kind = models.CharField(
        _("结果类型"), max_length=24, choices=ResultKind.choices, default=ResultKind.LICENCE
    )
    title = models.CharField(_("证照名称"), max_length=128)
    type_code = models.CharField(
        _("证照类型代码"),
        max_length=21,
        blank=True,
        help_text=_("18位统一社会信用代码加3位序号；为空时用颁发部门代码加 001。"),
    )
    body = models.TextField(
        _("正文"),
        blank=True,
        help_text=_("可用 {holder}、{item}、{case_number}、{department}、{date} 占位。"),
    )
    valid_years = models.PositiveSmallIntegerField(_("有效期（年）"), null=True, blank=True)

    class Meta:
        verbose_name = _("结果模板")
        verbose_name_plural = _("结果模板")

    def __str__(self) -> str:
        return self.title


def _certificate_path(instance: Certificate, filename: str) -> str:
    ext = posixpath.splitext(filename)[1].lower() or ".pdf"
    return f"certificates/{instance.case_id}/{instance.task_id}-{instance.sha256[:12]}{ext}"


class Certificate(TimestampedModel):
    """A result issued for an item task: a certificate (证照) or a decision letter (决定书)."""

    identifier = models.CharField(_("电子证照标识"), max_length=128, unique=True)
    kind = models.CharField(_("结果类型"), max_length=24, choices=ResultKind.choices)
    title = models.CharField(_("名称"), max_length=128)
    holder = models.ForeignKey(
        "accounts.Applicant",
        verbose_name=_("持证主体"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.OneToOneField(
        "cases.ItemTask", verbose_name=_("子件"), on_delete=models.PROTECT, related_name="+"
    )
    item_code = models.CharField(_("事项基本编码"), max_length=32)
    issuer = models.ForeignKey(
        "regions.Department",
        verbose_name=_("颁发部门"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    seal = models.ForeignKey(
        Seal, verbose_name=_("印章"), on_delete=models.PROTECT, related_name="certificates"
    )
    signer = models.CharField(_("签名方式"), max_length=32)
    pdf = models.FileField(_("PDF 文件"), upload_to=_certificate_path, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    sm2_signature = models.BinaryField(_("SM2 签章数据（SES_Signature DER）"), blank=True)
    verify_token = models.CharField(_("核验令牌"), max_length=64, unique=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=CertificateState.choices, default=CertificateState.VALID
    )
    issued_at = models.DateTimeField(_("签发时间"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    data = models.JSONField(_("证面内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["case"], name="certificate_case"),
            models.Index(fields=["holder", "state"], name="certificate_holder_state"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.identifier}"


class CertificateEvent(models.Model):
    """One step of a certificate's history (签发, 撤销, 注销 …), appended only."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证照"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=16, choices=CertificateEventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("证照事件")
        verbose_name_plural = _("证照事件")
        ordering = ["certificate", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"


class SerialCounter(models.Model):
    """The last serial (流水号) used per licence type, issuer and year."""

    type_code = models.CharField(max_length=21)
    issuer_uscc = models.CharField(max_length=18)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["type_code", "issuer_uscc", "year"], name="certificate_serial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_code}/{self.issuer_uscc}/{self.year}: {self.last}"


class LicenceMaterial(models.Model):
    """数据跑路: a certificate issued from ``template`` stands for the catalog material
    ``material_key`` (``MaterialRequirement.key``) of a later application, so its holder
    does not upload it. Data, edited with the result templates."""

    template = models.ForeignKey(
        ResultTemplate,
        verbose_name=_("结果模板"),
        on_delete=models.CASCADE,
        related_name="material_keys",
    )
    material_key = models.SlugField(
        _("材料标识"),
        max_length=64,
        help_text=_("申请材料的标识（如 business_licence）；持证人再申请时免于提交。"),
    )

    class Meta:
        verbose_name = _("可替代的申请材料")
        verbose_name_plural = _("可替代的申请材料")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "material_key"], name="certificate_licence_material_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.material_key}"
