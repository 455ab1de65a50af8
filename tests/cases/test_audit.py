"""The event log is append-only and hash-chained; ``onestop audit verify`` finds every break."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from onestop.cases.events import chain_verify, event_hash
from onestop.cases.models import Case, CaseEvent

_guard = importlib.import_module("onestop.cases.migrations.0006_events_append_only")


@pytest.fixture
def trigger_dropped(db):
    """Someone with database access dropped the append-only trigger first (the test's
    transaction puts it back)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_guard.POSTGRES_BACKWARD)
    else:
        with connection.cursor() as cursor:
            for statement in _guard.SQLITE_BACKWARD:
                cursor.execute(statement)


def _verify(capsys, *args):
    with pytest.raises(SystemExit) as info:
        call_command("audit", "verify", *args)
    return info.value.code, capsys.readouterr().out


def test_an_intact_log_verifies(setup, capsys):
    case = setup.completed()
    setup.submit()
    call_command("audit", "verify")
    out = capsys.readouterr().out
    events = CaseEvent.objects.count()
    assert out.strip() == f"OK: 2 cases, {events} events, every chain intact."
    call_command("audit", "verify", "--case", case.number)
    assert "OK: 1 cases" in capsys.readouterr().out


def test_events_chain_by_hash(setup):
    case = setup.accepted()
    events = list(case.events.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == ""
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    first = events[0]
    assert first.hash == event_hash(
        case_number=case.number,
        seq=1,
        kind="submitted",
        actor_id=first.actor_id,
        actor_role="applicant",
        at=first.at,
        from_state="draft",
        to_state="submitted",
        reason="",
        payload=first.payload,
        prev_hash="",
    )


@pytest.mark.usefixtures("trigger_dropped")
def test_an_edited_payload_is_detected(setup, capsys):
    case = setup.accepted()
    CaseEvent.objects.filter(case=case, seq=2).update(
        payload={"tolerated": {"lease": "2099-01-01"}}
    )
    code, out = _verify(capsys)
    assert code == 1
    assert f"BROKEN {case.number} #2: 内容与哈希不符（事件被篡改）" in out
    assert "FAILED: 1 of 1 cases" in out


@pytest.mark.usefixtures("trigger_dropped")
def test_an_edited_reason_or_time_is_detected(setup):
    case = setup.submit()
    from onestop.cases import services

    services.case_reject(case_id=case.pk, clerk=setup.clerk, reason="材料虚假")
    CaseEvent.objects.filter(case=case, seq=2).update(reason="申请人要求")
    _, breaks = chain_verify(Case.objects.get(pk=case.pk))
    assert [(b.seq, b.problem) for b in breaks] == [(2, "内容与哈希不符（事件被篡改）")]


@pytest.mark.usefixtures("trigger_dropped")
def test_a_deleted_event_is_detected(setup, capsys):
    case = setup.accepted()
    CaseEvent.objects.filter(case=case, seq=3).delete()
    code, out = _verify(capsys, "--case", case.number)
    assert code == 1
    assert f"BROKEN {case.number} #4: 序号不连续" in out
    assert "前一事件哈希不符" in out


@pytest.mark.usefixtures("trigger_dropped")
def test_a_deleted_last_event_is_detected(setup):
    case = setup.completed()
    last = case.events.order_by("-seq").first()
    CaseEvent.objects.filter(pk=last.pk).delete()
    _, breaks = chain_verify(Case.objects.get(pk=case.pk))
    assert breaks and "末尾事件被删除" in breaks[0].problem


@pytest.mark.usefixtures("trigger_dropped")
def test_reordered_events_are_detected(setup):
    case = setup.accepted()
    CaseEvent.objects.filter(case=case, seq=2).update(seq=1000)
    CaseEvent.objects.filter(case=case, seq=3).update(seq=2)
    CaseEvent.objects.filter(case=case, seq=1000).update(seq=3)
    _, breaks = chain_verify(case)
    assert {b.seq for b in breaks} >= {2, 3}


def test_events_refuse_update_and_delete_in_code(setup):
    event = setup.submit().events.get()
    event.reason = "改一改"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()


@pytest.mark.parametrize(
    "change",
    [
        lambda events: events.update(reason="改一改"),
        lambda events: events.update(seq=99),
        lambda events: events.delete(),
    ],
    ids=["update reason", "update seq", "delete"],
)
def test_the_database_refuses_to_change_or_delete_an_event(setup, change):
    case = setup.accepted()
    before = list(case.events.order_by("seq").values_list("seq", "reason", "hash"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change(CaseEvent.objects.filter(case=case, seq=2))
    assert list(case.events.order_by("seq").values_list("seq", "reason", "hash")) == before


def test_plain_sql_cannot_change_an_event_either(setup):
    case = setup.accepted()
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET reason = 'x' WHERE case_id = %s", [case.pk])  # noqa: S608
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE case_id = %s", [case.pk])  # noqa: S608
    assert chain_verify(Case.objects.get(pk=case.pk))[1] == []


def test_an_unknown_case_number_is_an_error(setup):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("audit", "verify", "--case", "nope")
