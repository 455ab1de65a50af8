"""The shapes of the demo catalogue data (plain frozen dataclasses, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from onestop.catalog.models import (
    FieldKind,
    MaterialForm,
    MaterialMedium,
    MaterialNecessity,
    MaterialSource,
    QuestionKind,
)

Condition = dict[str, Any] | None


@dataclass(frozen=True)
class MaterialSpec:
    key: str
    name: str
    form: str = MaterialForm.ORIGINAL
    medium: str = MaterialMedium.PAPER
    copies: int = 1
    necessity: str = MaterialNecessity.REQUIRED
    source: str = MaterialSource.APPLICANT
    licence_type: str = ""
    notes: str = ""
    condition: Condition = None

    def but(self, **changes: Any) -> MaterialSpec:
        return replace(self, **changes)


@dataclass(frozen=True)
class StepSpec:
    name: str
    limit_days: int
    handling_office: str = ""
    has_special_procedure: bool = False
    special_procedure_note: str = ""


@dataclass(frozen=True)
class FeeSpec:
    name: str
    standard: str
    amount: Decimal | None
    basis: str
    allows_reduction: bool = False


@dataclass(frozen=True)
class ItemSpec:
    basic_code: str
    name: str
    department: tuple[str, str]  # (region code, department kind)
    fields: dict[str, Any]
    materials: tuple[MaterialSpec, ...]
    steps: tuple[StepSpec, ...]
    fees: tuple[FeeSpec, ...] = ()


@dataclass(frozen=True)
class PackageItemSpec:
    basic_code: str
    condition: Condition = None
    handling_note: str = ""
    routing_rule: str = ""  # 办理地规则 (blank: the package's)


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    text: str
    kind: str = QuestionKind.YES_NO
    choices: tuple[tuple[str, str], ...] = ()
    unit: str = ""
    help_text: str = ""


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = FieldKind.TEXT
    items: tuple[str, ...] = ()  # basic codes of the package items that need the field
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help_text: str = ""
    condition: Condition = None
    max_length: int | None = None


@dataclass(frozen=True)
class PackageSpec:
    code: str
    name: str
    lead: tuple[str, str]  # (region code, department kind)
    fields: dict[str, Any]
    items: tuple[PackageItemSpec, ...]
    dependencies: tuple[tuple[str, str], ...] = ()  # (before basic code, after basic code)
    questions: tuple[QuestionSpec, ...] = ()
    form_fields: tuple[FieldSpec, ...] = field(default=())


def when(question: str, value: Any, op: str = "==") -> dict[str, Any]:
    """A one-question condition: ``when("sells_food", True)``."""
    return {"question": question, "op": op, "value": value}
