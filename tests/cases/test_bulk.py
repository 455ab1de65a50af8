"""The bulk loader writes the rows the services write (``cases.bulk``).

Each shape is played through the services for a reference case and written by the loader
with the same order (applicant, 收件地, moments, idempotency key), at every step of its play;
the two cases' rows are then compared column by column — every concrete column of every
model the case owns, except primary keys, the write timestamps and the event hashes (whose
chain ``audit verify`` checks instead); references to the case's own rows are compared by
position and the case number without its day's sequence.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models

from onestop.accounts.models import Applicant
from onestop.cases import bulk
from onestop.cases.events import chain_verify
from onestop.cases.models import Case, CaseEvent, CaseMaterial, CaseNumberCounter
from onestop.cases.services import MaterialInput
from onestop.cases.states import CaseState, Channel
from onestop.core import clock
from tests.factories.accounts import ApplicantFactory, UserFactory
from tests.factories.cases import Setup, upload
from tests.factories.regions import HallFactory, TownshipFactory

SKIPPED = {"id", "created_at", "updated_at", "hash", "prev_hash"}


def _moments(start: dt.datetime, n: int) -> list[dt.datetime]:
    """n increasing moments, some hours and some days apart (a weekend crossed)."""
    out, at = [], start
    for k in range(n):
        at = at + dt.timedelta(hours=3 + 19 * (k % 3), minutes=11 * k)
        out.append(at)
    return out


def _rows(case: Case) -> dict[str, list[dict[str, Any]]]:
    """The case's rows, normalised: own ids by position, the number's sequence dropped."""
    found = bulk._case_rows(case.pk)
    positions: dict[type, dict[Any, int]] = {
        model: {obj.pk: i for i, obj in enumerate(objs)} for model, objs in found.items()
    }
    number = case.number or ""
    prefix = number.rsplit("-", 1)[0]

    def own(model: type, value: Any) -> Any:
        return ("own", model.__name__, positions[model].get(value, value))

    def plain(value: Any) -> Any:
        if isinstance(value, str) and number and number in value:
            return value.replace(number, "<number>")
        return value

    out: dict[str, list[dict[str, Any]]] = {}
    for model, objs in found.items():
        rows = []
        for obj in objs:
            row: dict[str, Any] = {}
            for f in model._meta.concrete_fields:
                if f.name in SKIPPED:
                    continue
                value = getattr(obj, f.attname)
                if f.is_relation and f.related_model in positions:
                    value = own(f.related_model, value)
                elif model is Case and f.name == "number":
                    value = value.rsplit("-", 1)[0] if value else value
                    assert value == prefix
                elif model is CaseEvent and f.name == "payload":
                    value = _payload_own(value, positions)
                elif isinstance(f, models.FileField):
                    value = plain(value.name if value else "")
                else:
                    value = plain(value)
                row[f.name] = value
            rows.append(row)
        out[model.__name__] = rows
    return out


def _payload_own(value: Any, positions: dict[type, dict[Any, int]]) -> Any:
    """Every int in the payload that is an id of the case's own rows, by position (ids are
    far apart from any count: see ``_ids_apart``)."""
    if isinstance(value, dict):
        return {k: _payload_own(v, positions) for k, v in value.items()}
    if isinstance(value, list):
        return [_payload_own(v, positions) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        for model, table in positions.items():
            if value in table:
                return ("own", model.__name__, table[value])
    return value


def _ids_apart() -> None:
    """Start each table's ids at its own high offset, so no id equals a count or another
    table's id, and the comparison needs no list of which payload keys hold ids."""
    tables = [m._meta.db_table for m in (*bulk.CASE_ROWS, Applicant)]
    with connection.cursor() as cursor:
        for n, table in enumerate(tables, start=1):
            start = n * 1_000_000
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start]
                )
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start]
                )


@pytest.fixture
def world(db, request):
    _ids_apart()  # before any row of the test is written
    setup: Setup = request.getfixturevalue("setup")
    township = TownshipFactory(parent=setup.county)
    hall = HallFactory(region=township)
    other = ApplicantFactory(user=UserFactory(), phone="13907375555")
    return setup, township, hall, other


def _shape(setup: Setup, channel: Channel, ending: str = bulk.APPROVE) -> bulk.Shape:
    window = channel not in (Channel.ONLINE, Channel.MOBILE, Channel.KIOSK)

    def application(applicant) -> dict[str, Any]:
        materials = setup.full_materials()
        if window:  # the clerk sees the identity card's original; the lease is scanned
            materials = [
                MaterialInput(key="id_card", original_seen=True),
                upload("lease"),
                materials[2],
            ]
        return {
            "package_version": setup.package,
            "answers": setup.answers(),
            "form_data": setup.form(phone=applicant.phone),  # the applicant's own
            "materials": materials,
        }

    return bulk.Shape(
        name=f"start-business-{channel}-{ending}",
        application=application,
        channel=channel,
        applicant=setup.applicant,
        clerk=setup.clerk,
        accepting_region=setup.county,
        hall=None,
        ending=ending,
    )


@pytest.mark.parametrize(
    ("channel", "ending"),
    [
        (Channel.HALL_WINDOW, bulk.APPROVE),
        (Channel.ONLINE, bulk.APPROVE),
        (Channel.HALL_WINDOW, bulk.DENY),
        (Channel.MOBILE, bulk.REJECT),
    ],
)
def test_bulk_rows_equal_the_services_rows_at_every_step(world, channel, ending):
    setup, township, hall, other = world
    shape = _shape(setup, channel, ending)
    loader = bulk.CaseLoader(files=True)
    labels = loader.steps(shape)
    assert labels[0] == "submitted"
    if ending == bulk.REJECT:
        assert labels[-1] == "rejected"
    else:
        assert labels[-1] == "handed_out"
    start = dt.datetime(2026, 6, 5, 9, 30, tzinfo=clock.SHANGHAI)  # a Friday
    for steps in range(1, len(labels) + 1):
        moments = _moments(start + dt.timedelta(days=steps), steps)
        key = f"bulk-test-{channel}-{ending}-{steps}"
        where = {"accepting_region": township, "hall": hall if channel == "hall_window" else None}
        reference = bulk.shape_play(
            shape,
            moments,
            applicant=other,
            idempotency_key=f"{key}-services",
            steps=steps,
            **where,
        )
        result = loader.write(
            [
                bulk.CaseOrder(
                    shape=shape,
                    moments=moments,
                    applicant=other,
                    idempotency_key=f"{key}-bulk",
                    **where,
                )
            ]
        )
        made = Case.objects.get(pk=result.case_ids[0])
        reference.refresh_from_db()
        expected, got = _rows(reference), _rows(made)
        expected["Case"][0]["idempotency_key"] = got["Case"][0]["idempotency_key"] = None
        for model, rows in expected.items():
            assert len(got[model]) == len(rows), (labels[steps - 1], model)
            for want, have in zip(rows, got[model], strict=True):
                for column, value in want.items():
                    assert have[column] == value, (labels[steps - 1], model, column)
        count, breaks = chain_verify(made)
        assert count == len(expected["CaseEvent"]) and breaks == []
        assert made.number != reference.number
        for material in CaseMaterial.objects.filter(case=made).exclude(file=""):
            assert default_storage.exists(material.file.name)


def test_numbers_follow_the_counter_and_audit_verify_passes(world):
    setup, township, hall, other = world
    shape = _shape(setup, Channel.HALL_WINDOW)
    loader = bulk.CaseLoader()
    steps = len(loader.steps(shape))
    day = dt.datetime(2026, 6, 8, 9, 0, tzinfo=clock.SHANGHAI)
    first = bulk.shape_play(shape, _moments(day, 1), applicant=other, steps=1)
    orders = [
        bulk.CaseOrder(
            shape=shape,
            moments=_moments(day + dt.timedelta(minutes=i), steps if i % 2 else 1 + i // 2),
            applicant=other if i % 2 else setup.applicant,
            idempotency_key=f"n-{i}",
        )
        for i in range(7)
    ]
    result = loader.write(orders, batch=3)
    assert result.cases == 7
    numbers = list(
        Case.objects.filter(pk__in=result.case_ids).order_by("pk").values_list("number", flat=True)
    )
    prefix = first.number.rsplit("-", 1)[0]
    assert numbers == [f"{prefix}-{n:05d}" for n in range(2, 9)]
    counter = CaseNumberCounter.objects.get(region=setup.county, day=dt.date(2026, 6, 8))
    assert counter.last == 8
    # The services go on from the counter.
    after = bulk.shape_play(shape, _moments(day, 1), applicant=other, steps=1)
    assert after.number == f"{prefix}-00009"
    states = set(Case.objects.filter(pk__in=result.case_ids).values_list("state", flat=True))
    assert CaseState.DELIVERED in states and CaseState.SUBMITTED in states
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "every chain intact" in out.getvalue()


def test_a_kind_the_template_does_not_have_is_refused(world):
    setup, _township, _hall, _other = world
    shape = _shape(setup, Channel.HALL_WINDOW)
    enterprise = ApplicantFactory(enterprise=True)
    loader = bulk.CaseLoader()
    with pytest.raises(ValueError, match="kind"):
        loader.write(
            [
                bulk.CaseOrder(
                    shape=shape,
                    moments=_moments(dt.datetime(2026, 6, 8, tzinfo=clock.SHANGHAI), 1),
                    applicant=enterprise,
                )
            ]
        )
