"""Cases (办件), their materials, item tasks (子件), clock pauses, extensions, verifications
and the append-only, hash-chained event log. Every change goes through ``cases.services``."""

from __future__ import annotations

import posixpath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.cases.states import (
    CASE_QUEUE_STATES,
    TASK_INBOX_STATES,
    CaseOutcome,
    CaseState,
    Channel,
    EventKind,
    ExtensionState,
    MaterialStatus,
    PauseKind,
    TaskMode,
    TaskState,
    VerificationState,
)
from onestop.catalog.models import MaterialNecessity, MaterialSource
from onestop.core.models import TimestampedModel
from onestop.workdays.units import TimeUnit


class Case(TimestampedModel):
    """One application (办件) for a package version or a single item version."""

    # Given at submission; a draft (草稿) has none, so numbers stay gapless.
    number = models.CharField(_("办件编号"), max_length=40, unique=True, null=True, blank=True)
    title = models.CharField(_("申请事项"), max_length=200)
    package_version = models.ForeignKey(
        "catalog.PackageVersion",
        verbose_name=_("一件事版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        verbose_name=_("事项版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # led by the index case_applicant_order
    )
    agent = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("帮代办员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_cases",
    )
    agent_authorisation = models.CharField(
        _("代办授权"),
        max_length=255,
        blank=True,
        help_text=_("授权委托书编号或已上传授权书的存储路径。"),
    )
    # The recorded authorisation the agent entered the case under (docs/agents.md); the
    # engine checks it, valid now and covering the case, before the agent acts.
    authorisation = models.ForeignKey(
        "cases.AgentAuthorisation",
        verbose_name=_("代办授权记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    channel = models.CharField(_("申报渠道"), max_length=24, choices=Channel.choices)
    accepting_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("收件地"),
        on_delete=models.PROTECT,
        related_name="accepted_cases",
    )
    # The accepting region's code, carried by every case for scope filters and sharding.
    region_code = models.CharField(_("收件地区划代码"), max_length=12, db_index=True)
    hall = models.ForeignKey(
        "regions.Hall",
        verbose_name=_("收件大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    state = models.CharField(
        _("状态"), max_length=24, choices=CaseState.choices, default=CaseState.DRAFT
    )
    outcome = models.CharField(
        _("办理结果"), max_length=24, choices=CaseOutcome.choices, blank=True
    )
    answers = models.JSONField(_("情形答案"), default=dict, blank=True)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("承诺办结时间"), null=True, blank=True)
    due_is_provisional = models.BooleanField(_("办结时间为暂定"), default=False)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("出件时间"), null=True, blank=True)
    closed_at = models.DateTimeField(
        _("结束时间"), null=True, blank=True, help_text=_("不予受理、撤回或终止的时间。")
    )
    promised_days = models.PositiveIntegerField(_("承诺办结时限"))
    promised_unit = models.CharField(
        _("承诺时限单位"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKDAY
    )
    dispatch_items = models.JSONField(
        _("分送事项"),
        null=True,
        blank=True,
        help_text=_("提交时按情形确定的事项及其版本、部门、前置关系；受理时据此分送。"),
    )
    has_commitments = models.BooleanField(
        _("含告知承诺"),
        null=True,
        blank=True,
        help_text=_("是否有以告知承诺代替的材料（空：早期办件，需查材料）。"),
    )
    materials_complete = models.BooleanField(
        _("材料齐全"),
        null=True,
        blank=True,
        help_text=_(
            "每份非可选材料均已提交（空：早期办件，需查材料）。由办件引擎在材料变化时更新，"
            "受理时据此免读材料。"
        ),
    )
    correction_notice = models.JSONField(
        _("补正告知"),
        null=True,
        blank=True,
        help_text=_("一次性告知补正的全部内容：材料、说明、告知时间。"),
    )
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=128, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_cases",
    )

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(package_version__isnull=False, item_version__isnull=True)
                    | models.Q(package_version__isnull=True, item_version__isnull=False)
                ),
                name="case_exactly_one_version",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="case_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "region_code"], name="case_state_region"),
            # The keyset-paged lists (``cases.selectors.*_page``): each index yields its
            # list's order, id last, so a page reads its rows and stops (no sort of the whole
            # match); ``include`` lets the capped count and the scope's region filter read
            # the index alone (PostgreSQL; other backends ignore it). Proven by the plans in
            # tests/cases/test_list_indexes.py.
            models.Index(
                fields=["applicant", "-submitted_at", "-id"],
                include=["state"],
                name="case_applicant_order",
            ),
            models.Index(
                fields=["submitted_at", "id"],
                include=["region_code"],
                condition=models.Q(state__in=sorted(CASE_QUEUE_STATES)),
                name="case_queue_order",
            ),
            models.Index(
                fields=["completed_at", "id"],
                include=["region_code"],
                condition=models.Q(state=CaseState.COMPLETED),
                name="case_handout_order",
            ),
            # "Overdue now" (stats.selectors.overdue_open_count, the supervision sweep): only
            # the cases whose clock runs, by due date — at 1M cases the (state, region) index
            # read every open case of the subtree and its heap rows (docs/benchmarks.md, Stats).
            models.Index(
                fields=["due_at"],
                condition=models.Q(state__in=[CaseState.ACCEPTED, CaseState.IN_PROGRESS]),
                name="case_clock_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('草稿')} {self.title}"


def _material_path(instance: CaseMaterial, filename: str) -> str:
    ext = posixpath.splitext(filename)[1].lower()
    name = f"{instance.key}-{instance.sha256[:12]}{ext}"
    if instance.case.number is None:  # a draft's file, carried over when it is submitted
        return f"cases/drafts/{instance.case_id}/{name}"
    return f"cases/{instance.case.number}/{name}"


class CaseMaterial(TimestampedModel):
    """One entry of a case's merged material list and how the applicant satisfied it."""

    # Both looked up only together, through the unique (case, key) index: no index of their own.
    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        on_delete=models.CASCADE,
        related_name="materials",
        db_index=False,
    )
    key = models.SlugField(_("材料标识"), max_length=64, db_index=False)
    name = models.CharField(_("材料名称"), max_length=200)
    necessity = models.CharField(_("必要性"), max_length=16, choices=MaterialNecessity.choices)
    source = models.CharField(
        _("来源渠道"),
        max_length=16,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    item_names = models.JSONField(
        _("需要该材料的事项"), default=list, blank=True, help_text=_("事项名称列表。")
    )
    status = models.CharField(
        _("状态"), max_length=24, choices=MaterialStatus.choices, default=MaterialStatus.MISSING
    )
    file = models.FileField(_("文件"), upload_to=_material_path, max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), null=True, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=64, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    licence_reference = models.CharField(_("电子证照引用"), max_length=255, blank=True)
    commitment_text = models.TextField(_("承诺内容"), blank=True)
    commitment_signed_at = models.DateTimeField(_("承诺签署时间"), null=True, blank=True)
    supplement_due_on = models.DateField(_("容缺补交期限"), null=True, blank=True)
    supplied_at = models.DateTimeField(_("补交时间"), null=True, blank=True)
    original_verified_at = models.DateTimeField(_("原件核验时间"), null=True, blank=True)
    original_verified_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("原件核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="case_material_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name


class ItemTask(TimestampedModel):
    """子件: one item of a case, routed to a department at the handling region."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="tasks"
    )
    package_item = models.ForeignKey(
        "catalog.PackageItem",
        verbose_name=_("联办事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    title = models.CharField(_("事项名称"), max_length=200)
    item_code = models.CharField(_("事项基本编码"), max_length=32)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("办理部门"),
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,  # led by the index task_dept_state_due
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("办理地"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    region_code = models.CharField(_("办理地区划代码"), max_length=12)
    mode = models.CharField(
        _("办理模式"),
        max_length=16,
        choices=TaskMode.choices,
        default=TaskMode.LOCAL,
        help_text=_("分送时由办件引擎按申报渠道、收件地和办理地确定。"),
    )
    state = models.CharField(
        _("状态"), max_length=24, choices=TaskState.choices, default=TaskState.PENDING
    )
    assignee = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,  # led by the index task_assignee_state
    )
    round = models.PositiveSmallIntegerField(
        _("分送轮次"), default=1, help_text=_("退回窗口后重新受理时递增。")
    )
    promised_days = models.PositiveIntegerField(_("承诺办结时限"))
    promised_unit = models.CharField(
        _("承诺时限单位"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKDAY
    )
    ready_at = models.DateTimeField(_("就绪时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办结期限"), null=True, blank=True)
    due_is_provisional = models.BooleanField(_("期限为暂定"), default=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.TextField(_("办理意见"), blank=True)
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("前置子件"),
        symmetrical=False,
        blank=True,
        related_name="dependants",
    )

    class Meta:
        verbose_name = _("子件")
        verbose_name_plural = _("子件")
        ordering = ["case", "pk"]
        indexes = [
            models.Index(fields=["department", "state", "due_at"], name="task_dept_state_due"),
            models.Index(fields=["assignee", "state"], name="task_assignee_state"),
            # The department inbox in its order (``cases.selectors.inbox_page``): the open
            # tasks only, by due date (nulls last, as PostgreSQL's ascending index keeps
            # them), ready time, id.
            models.Index(
                fields=["department", "due_at", "ready_at", "id"],
                include=["region_code"],
                condition=models.Q(state__in=sorted(TASK_INBOX_STATES)),
                name="task_inbox_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} / {self.title}"


class Pause(TimestampedModel):
    """特别程序 on a task: the task's and the case's clock stand still meanwhile."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="pauses"
    )
    task = models.ForeignKey(
        ItemTask, verbose_name=_("子件"), on_delete=models.PROTECT, related_name="pauses"
    )
    kind = models.CharField(_("特别程序"), max_length=24, choices=PauseKind.choices)
    reason = models.TextField(_("理由"))
    started_at = models.DateTimeField(_("开始时间"))
    started_by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("启动人"), on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    result = models.TextField(_("特别程序结果"), blank=True)
    paused_workdays = models.PositiveIntegerField(_("暂停工作日"), null=True, blank=True)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["task", "started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.task}"


class Extension(TimestampedModel):
    """延期: moves the task's and the case's due date once a chief approver approves it."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="extensions"
    )
    task = models.ForeignKey(
        ItemTask, verbose_name=_("子件"), on_delete=models.PROTECT, related_name="extensions"
    )
    days = models.PositiveIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(
        _("状态"), max_length=16, choices=ExtensionState.choices, default=ExtensionState.REQUESTED
    )
    requested_by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    approved_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["task", "requested_at"]

    def __str__(self) -> str:
        return f"{self.task} +{self.days}"


class VerificationTask(TimestampedModel):
    """告知承诺 核查: after approval the department checks what the applicant committed to."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="verifications"
    )
    task = models.ForeignKey(
        ItemTask, verbose_name=_("子件"), on_delete=models.PROTECT, related_name="verifications"
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("核查部门"),
        on_delete=models.PROTECT,
        related_name="verifications",
        db_index=False,  # led by the index verification_dept_state
    )
    material_keys = models.JSONField(_("承诺替代的材料"), default=list)
    state = models.CharField(
        _("状态"),
        max_length=24,
        choices=VerificationState.choices,
        default=VerificationState.OPEN,
    )
    decided_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    note = models.TextField(_("核查意见"), blank=True)

    class Meta:
        verbose_name = _("承诺核查")
        verbose_name_plural = _("承诺核查")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["department", "state"], name="verification_dept_state")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_state_display()}"


class CaseEvent(models.Model):
    """An append-only entry of a case's history, hash-chained to the previous one."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # led by the unique (case, seq) index
    )
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("操作人角色"), max_length=32, blank=True)
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=24, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24, blank=True)
    reason = models.TextField(_("理由/意见"), blank=True)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("办件事件")
        verbose_name_plural = _("办件事件")
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not logic: the log is append-only.
        if not self._state.adding:
            raise RuntimeError("CaseEvent rows are append-only; they are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("CaseEvent rows are append-only; they are never deleted.")


class CaseNumberCounter(models.Model):
    """The last case number handed out for a region on a day (row-locked while incremented)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("区划"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the unique (region, day) index
    )
    day = models.DateField(_("日期"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("办件编号计数器")
        verbose_name_plural = _("办件编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="case_counter_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.last}"


class AuthorisationMethod(models.TextChoices):
    """How the applicant gave an agent (帮代办员) the authorisation."""

    DOCUMENT = "document", _("签署授权委托书")
    IN_PERSON = "in_person", _("当面确认")
    ONLINE = "online", _("网上授权")


class AgentAuthorisation(TimestampedModel):
    """An applicant's authorisation of a 帮代办员 to apply and act for them (docs/agents.md).

    Written only by ``cases.services.agents``; ``cases.actions`` checks it (valid now,
    covering the case's package or item) before an agent enters or acts on a case."""

    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name=_("申请人（委托人）"),
        on_delete=models.PROTECT,
        related_name="agent_authorisations",
    )
    agent = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("帮代办员（受托人）"),
        on_delete=models.PROTECT,
        related_name="authorisations_held",
    )
    method = models.CharField(_("授权方式"), max_length=16, choices=AuthorisationMethod.choices)
    document_number = models.CharField(_("授权委托书编号"), max_length=100, blank=True)
    document = models.FileField(
        _("授权委托书文件"),
        upload_to="cases/authorisations/%Y/%m/",
        max_length=255,
        blank=True,
        help_text=_("上传的已签署授权委托书（扫描件）。"),
    )
    all_items = models.BooleanField(_("全部事项"), default=False)
    packages = models.ManyToManyField(
        "catalog.Package", verbose_name=_("授权的一件事"), blank=True, related_name="+"
    )
    items = models.ManyToManyField(
        "catalog.ServiceItem", verbose_name=_("授权的事项"), blank=True, related_name="+"
    )
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("撤销理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("代办授权")
        verbose_name_plural = _("代办授权")
        ordering = ["-valid_from", "-pk"]
        indexes = [
            models.Index(fields=["agent", "applicant"], name="agent_auth_pair"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="agent_auth_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id}→{self.agent_id} {self.method}"
