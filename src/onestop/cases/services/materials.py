"""Submitted materials: what the applicant hands in for each entry of the merged list."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.cases.models import Case, CaseMaterial
from onestop.cases.states import MaterialStatus
from onestop.catalog.models import MaterialNecessity, MaterialSource
from onestop.catalog.selectors import MergedMaterial
from onestop.core import clock
from onestop.core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# extension → (content type, leading bytes). OFD (GB/T 33190) is a ZIP container.
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
}


def upload_max_bytes() -> int:
    """The largest file a material may be (``ONESTOP_UPLOAD_MAX_BYTES``)."""
    return int(getattr(settings, "ONESTOP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_accept() -> str:
    """The accepted extensions, as an ``<input type=file accept>`` value."""
    return ",".join(ALLOWED_TYPES)


@dataclass(frozen=True)
class MaterialInput:
    """How one material is satisfied: exactly one of a file, a licence reference, a
    commitment, or (at a window) the paper original seen by the clerk — with or without a
    scan of it."""

    key: str
    file: File | None = None
    licence_reference: str = ""
    commitment: str = ""
    original_seen: bool = False


@dataclass(frozen=True)
class CheckedFile:
    file: File
    size: int
    content_type: str
    sha256: str
    extension: str


def file_check(file: File, *, label: str, field: str) -> CheckedFile:
    """Refuse a file that is too large or not a PDF, JPEG, PNG or OFD; compute its SHA-256."""
    limit = upload_max_bytes()
    size = file.size or 0
    if size == 0:
        raise ValidationFailed(_("“%(m)s”的文件是空的。") % {"m": label}, field=field)
    if size > limit:
        raise ValidationFailed(
            _("“%(m)s”的文件大小为 %(size).1f MB，超过上限 %(limit).0f MB。")
            % {"m": label, "size": size / 1048576, "limit": limit / 1048576},
            field=field,
        )
    extension = posixpath.splitext(file.name or "")[1].lower()
    allowed = ALLOWED_TYPES.get(extension)
    if allowed is None:
        raise ValidationFailed(
            _("“%(m)s”的文件类型“%(ext)s”不被接受，只接受 PDF、JPG、PNG、OFD。")
            % {"m": label, "ext": extension or _("无扩展名")},
            field=field,
        )
    digest = hashlib.sha256()
    file.seek(0)
    head = b""
    for chunk in file.chunks():
        if not head:
            head = chunk[:16]
        digest.update(chunk)
    file.seek(0)
    content_type, magics = allowed
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationFailed(
            _("“%(m)s”的文件内容与扩展名“%(ext)s”不符，请上传真实的 PDF、JPG、PNG 或 OFD 文件。")
            % {"m": label, "ext": extension},
            field=field,
        )
    return CheckedFile(file, size, content_type, digest.hexdigest(), extension)


def material_row(case: Case, entry: MergedMaterial) -> CaseMaterial:
    """A case's (unsaved) row for one material of its merged list, not yet satisfied."""
    return CaseMaterial(
        case=case,
        key=entry.key,
        name=entry.name,
        necessity=entry.necessity,
        source=entry.source,
        item_names=list(entry.item_names),
    )


def material_input_check(given: MaterialInput, *, name: str, necessity: str) -> CheckedFile | None:
    """Refuse an input that is not exactly one valid way of satisfying the material."""
    field = f"materials.{given.key}"
    ways = [
        given.file is not None or given.original_seen,
        bool(given.licence_reference.strip()),
        bool(given.commitment.strip()),
    ]
    if sum(ways) != 1:
        raise ValidationFailed(
            _("“%(m)s”请提供文件、电子证照引用或告知承诺中的一种。") % {"m": name},
            field=field,
        )
    if given.commitment.strip() and necessity != MaterialNecessity.COMMITMENT:
        raise ValidationFailed(
            _("“%(m)s”不适用告知承诺，请提交材料本身。") % {"m": name}, field=field
        )
    if given.file is not None:
        return file_check(given.file, label=name, field=field)
    return None


def material_apply(
    material: CaseMaterial,
    given: MaterialInput,
    checked: CheckedFile | None,
    *,
    seen_by: Staff | None = None,
    at: dt.datetime | None = None,
) -> list[str]:
    """Record a checked input on ``material`` (unsaved; files go to storage); return changed
    fields. ``seen_by``: the clerk who saw the original (``given.original_seen``)."""
    changed: list[str] = []
    if checked is not None:
        material.sha256 = checked.sha256
        material.file_size = checked.size
        material.content_type = checked.content_type
        material.file.save(f"{material.key}{checked.extension}", checked.file, save=False)
        material.status = MaterialStatus.SUBMITTED
        changed = ["file", "file_size", "content_type", "sha256", "status"]
    if given.original_seen and seen_by is not None:
        changed = [*changed, *material_original_seen(material, by=seen_by, at=at or clock.now())]
        return list(dict.fromkeys(changed))
    if changed:
        return changed
    if given.licence_reference.strip():
        material.licence_reference = given.licence_reference.strip()[:255]
        material.status = MaterialStatus.LICENCE_REFERENCE
        material.source = MaterialSource.LICENCE  # 数据跑路: an e-licence stands for it
        return ["licence_reference", "status", "source"]
    material.commitment_text = given.commitment.strip()
    material.commitment_signed_at = clock.now()
    material.status = MaterialStatus.COMMITMENT_SIGNED
    return ["commitment_text", "commitment_signed_at", "status"]


def material_original_seen(material: CaseMaterial, *, by: Staff, at: dt.datetime) -> list[str]:
    """原件已核验: the clerk saw the paper original (unsaved); return the changed fields."""
    material.status = MaterialStatus.ORIGINAL_VERIFIED
    material.original_verified_by = by
    material.original_verified_at = at
    return ["status", "original_verified_by", "original_verified_at"]


def materials_unsatisfied(
    materials: Iterable[MergedMaterial], given: Iterable[str]
) -> list[ValidationFailed]:
    """What a remote application (online, mobile, kiosk) may not leave out, one error per
    material: a required material, and a 告知承诺 material (its file or the commitment).
    Tolerable (容缺) and optional ones may wait: the window decides at acceptance.
    ``given``: the keys handed in (and, for a draft, the files it keeps)."""
    have = set(given)
    errors = []
    for m in materials:
        if m.key in have or m.is_held_by_government:
            continue
        if m.necessity == MaterialNecessity.REQUIRED:
            message = _("请上传“%(m)s”。") % {"m": m.name}
        elif m.necessity == MaterialNecessity.COMMITMENT:
            message = _("请上传“%(m)s”，或勾选告知承诺代替。") % {"m": m.name}
        else:
            continue
        errors.append(ValidationFailed(message, field=f"materials.{m.key}"))
    return errors


def materials_missing(materials: Iterable[CaseMaterial]) -> list[CaseMaterial]:
    """The materials a case still lacks: not handed in and not optional (容缺 included)."""
    return [
        m
        for m in materials
        if m.status == MaterialStatus.MISSING and m.necessity != MaterialNecessity.OPTIONAL
    ]


def material_summary(material: CaseMaterial) -> dict[str, str]:
    """What the event log keeps about a material (the file's hash, never its content)."""
    summary = {"status": str(material.status)}
    if material.sha256:
        summary["sha256"] = material.sha256
    if material.licence_reference:
        summary["licence"] = material.licence_reference
    return summary
