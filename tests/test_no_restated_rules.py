"""Pages never restate a rule of the case engine.

What a page may offer comes from ``cases.actions`` (allowed actions) and the named state
sets of ``cases.states``; who may open a desk from ``accounts.roles`` permissions. So no
template, view, presenter or API module compares a state or a role to a string literal,
and no view computes a ``can_…`` flag of its own. A regex scan, deliberately simple: it
reports every offending line as ``file:line``.
"""

from __future__ import annotations

import re
from pathlib import Path

from onestop.accounts.roles import Role
from onestop.cases.events import ActorKind
from onestop.cases.states import (
    CaseState,
    ExtensionState,
    MaterialStatus,
    TaskState,
    VerificationState,
)

SRC = Path(__file__).resolve().parent.parent / "src" / "onestop"

# Values that are a state or a role somewhere; a comparison with one of them is a rule.
RULE_VALUES = frozenset(
    str(value)
    for choices in (
        CaseState,
        TaskState,
        ExtensionState,
        VerificationState,
        MaterialStatus,
        Role,
        ActorKind,
    )
    for value in choices.values
)

_LITERAL = r"""["']([a-z_]+)["']"""
# x == "v", x != "v", "v" == x, x in ("v", …), x not in {"v", …}, {% if x.state == "v" %}
COMPARISONS = (
    re.compile(rf"(?:==|!=)\s*{_LITERAL}"),
    re.compile(rf"{_LITERAL}\s*(?:==|!=)"),
    re.compile(r"""\bin\s*[(\[{]\s*((?:["'][a-z_]+["']\s*,?\s*)+)[)\]}]"""),
)
# A view computing its own permission flag: "can_x": <comparison>, or can_x = <comparison>
CAN_FLAG = re.compile(r"""(?:["']can_\w+["']\s*:|\bcan_\w+\s*=)\s*[^,\n]*(?:==|!=|\bin\b)""")

PYTHON_SCOPES = (
    "portal/views",
    "portal/templatetags",
    "portal/forms.py",
    "workbench",
    "cases/api",
)

# Lines of modules owned by others, listed so this test passes meanwhile.
# The lead removes these (cases/api reads cases.actions instead).
ALLOWED: frozenset[str] = frozenset()


def _files() -> list[Path]:
    files = sorted(SRC.glob("**/templates/**/*.html"))
    for scope in PYTHON_SCOPES:
        path = SRC / scope
        files += [path] if path.is_file() else sorted(path.glob("**/*.py"))
    return files


def _offences(path: Path) -> list[str]:
    found = []
    rel = path.relative_to(SRC).as_posix()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{rel}:{number}"
        if where in ALLOWED:
            continue
        literals: set[str] = set()
        for pattern in COMPARISONS:
            for match in pattern.finditer(line):
                literals |= set(re.findall(r"""["']([a-z_]+)["']""", match.group(0)))
        hits = sorted(literals & RULE_VALUES)
        if hits:
            found.append(f"{where}: compares with {', '.join(hits)}: {line.strip()}")
        if path.suffix == ".py" and CAN_FLAG.search(line):
            found.append(f"{where}: computes a can_ flag: {line.strip()}")
    return found


def test_no_state_or_role_literal_is_compared_and_no_view_computes_can_flags():
    offences = [o for path in _files() for o in _offences(path)]
    assert not offences, (
        "Rules restated outside the engine — read cases.actions (case_actions / "
        "task_actions / extension_actions), the named sets of cases.states, or a "
        "Permission instead:\n  " + "\n  ".join(offences)
    )


def test_the_scan_finds_what_it_is_meant_to_find(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% if task.state == "claimed" %}\n'
        "{% if request.staff.role == 'chief' %}\n"
        '{% if hit.kind == "package" %}\n',
        encoding="utf-8",
    )
    view = tmp_path / "view.py"
    view.write_text(
        '"can_reject": case.state == CaseState.CORRECTION_REQUESTED,\n'
        'if case.state in ("submitted", "pre_review"):\n'
        "is_open = state in TASK_OPEN_STATES\n",
        encoding="utf-8",
    )

    def scan(path: Path) -> list[str]:
        found = []
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            literals: set[str] = set()
            for pattern in COMPARISONS:
                for match in pattern.finditer(line):
                    literals |= set(re.findall(r"""["']([a-z_]+)["']""", match.group(0)))
            if literals & RULE_VALUES or (path.suffix == ".py" and CAN_FLAG.search(line)):
                found.append(number)
        return found

    assert scan(sample) == [1, 2]
    assert scan(view) == [1, 2]
