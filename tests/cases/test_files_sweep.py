"""The sweep of uploaded files no row references (``cases.files``)."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models, transaction
from django.utils import translation

from onestop.cases import services
from onestop.cases.files import files_sweep_orphans
from onestop.cases.models import Case, CaseMaterial
from onestop.cases.tasks import cases_sweep_orphan_files
from onestop.config.celery import app
from tests.factories.cases import PDF, upload

pytestmark = pytest.mark.django_db

TWO_DAYS = 2 * 24 * 3600


class _Rollback(Exception):
    pass


def _age(*names: str, seconds: float = TWO_DAYS) -> None:
    """Make stored files look ``seconds`` old, as if the sweep ran that much later."""
    moment = time.time() - seconds
    for name in names:
        os.utime(default_storage.path(name), (moment, moment))


def _stored() -> set[str]:
    """Every file below the media root, as storage names."""
    root = default_storage.path("")
    found = set()
    for directory, _dirs, files in os.walk(root):
        for f in files:
            found.add(os.path.relpath(os.path.join(directory, f), root).replace(os.sep, "/"))
    return found


def _files_of(case: Case) -> set[str]:
    return {m.file.name for m in case.materials.all() if m.file}


def _orphan(name: str = "cases/lost/scan.pdf", body: bytes = PDF, *, old: bool = True) -> str:
    saved = default_storage.save(name, ContentFile(body))
    if old:
        _age(saved)
    return saved


def test_upload_of_a_rolled_back_submission_is_deleted(setup):
    with pytest.raises(_Rollback), transaction.atomic():
        case = setup.submit()
        written = _files_of(case)
        raise _Rollback
    assert len(written) == 2
    assert not Case.objects.exists()
    assert written <= _stored()  # the rollback left the uploads behind
    _age(*written)

    result = files_sweep_orphans()

    assert set(result.deleted_names) == written
    assert result.deleted == 2
    assert result.bytes_freed == 2 * len(PDF)
    assert not result.dry_run
    assert not (written & _stored())


def test_referenced_files_are_kept_however_old(setup):
    case = setup.submit()
    files = _files_of(case)
    _age(*files)

    result = files_sweep_orphans()

    assert result.deleted == 0
    assert result.kept == 2
    assert files <= _stored()
    for material in case.materials.exclude(file=""):
        with material.file.open("rb") as f:
            assert f.read() == PDF


def test_a_fresh_unreferenced_file_is_kept(setup):
    fresh = _orphan(old=False)
    old = _orphan("cases/lost/old.pdf")

    result = files_sweep_orphans(older_than=dt.timedelta(hours=24))

    assert result.deleted_names == (old,)
    assert result.kept == 1
    assert fresh in _stored()
    assert old not in _stored()


def test_the_threshold_is_the_callers(setup):
    name = _orphan(old=False)
    _age(name, seconds=2 * 3600)

    assert files_sweep_orphans(older_than=dt.timedelta(hours=3)).deleted == 0
    assert files_sweep_orphans(older_than=dt.timedelta(hours=1)).deleted_names == (name,)


def test_file_replaced_by_a_supplement_is_kept_as_the_event_log_records_it(setup):
    case = setup.case_in("correction_requested")
    before = case.materials.get(key="lease").file.name
    services.case_supplement(
        case_id=case.pk, by=setup.applicant, materials=[upload("lease", body=PDF + b"%signed\n")]
    )
    after = case.materials.get(key="lease").file.name
    assert after != before
    _age(*_stored())

    lost = _orphan(f"cases/{case.number}/lease-0123456789ab.pdf")  # never recorded

    result = files_sweep_orphans()

    assert result.deleted_names == (lost,)
    assert {before, after} <= _stored()
    assert before not in _files_of(case)  # replaced, yet kept: its hash is in the events


def test_dry_run_reports_without_deleting(setup):
    case = setup.submit()
    _age(*_files_of(case))
    a = _orphan("cases/lost/a.pdf")
    b = _orphan("cases/old-case/b.pdf", PDF * 2)

    result = files_sweep_orphans(dry_run=True)

    assert result.dry_run
    assert sorted(result.deleted_names) == sorted([a, b])
    assert result.bytes_freed == 3 * len(PDF)
    assert result.kept == 2
    assert {a, b} <= _stored()
    assert files_sweep_orphans().deleted == 2


def test_files_outside_the_upload_directory_are_never_touched(setup, tmp_path):
    elsewhere = [
        _orphan("catalog/forms/blank.pdf"),
        _orphan("stray.pdf"),
        _orphan("cases-old/x.pdf"),
    ]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.pdf").write_bytes(PDF)
    old = time.time() - TWO_DAYS
    os.utime(outside / "precious.pdf", (old, old))
    os.makedirs(default_storage.path("cases"), exist_ok=True)
    os.symlink(outside, default_storage.path("cases/link"))

    result = files_sweep_orphans()

    assert result.deleted == 0
    assert set(elsewhere) <= _stored()
    assert (outside / "precious.pdf").exists()


def test_an_empty_or_missing_upload_directory_is_fine(setup):
    result = files_sweep_orphans()

    assert (result.kept, result.deleted, result.bytes_freed) == (0, 0, 0)


def test_references_are_read_once_per_model_however_many_files(setup, django_assert_num_queries):
    for n in range(5):
        setup.submit()
        _orphan(f"cases/lost/{n}.pdf")
    _age(*_stored())
    with_files = sum(
        1
        for model in apps.get_models()
        if any(isinstance(f, models.FileField) for f in model._meta.concrete_fields)
    )

    # + Case.agent_authorisation, + the events of the orphans' cases
    with django_assert_num_queries(with_files + 2):
        result = files_sweep_orphans()

    assert result.deleted == 5
    assert result.kept == CaseMaterial.objects.exclude(file="").count() == 10


def test_the_celery_task_sweeps(setup):
    name = _orphan()

    assert cases_sweep_orphan_files.delay(older_than_hours=24).get() == [name]
    assert name not in _stored()


def test_beat_runs_the_file_sweep_daily_at_half_past_two_shanghai_time():
    (entry,) = [
        e for e in app.conf.beat_schedule.values() if e["task"] == cases_sweep_orphan_files.name
    ]
    assert entry["schedule"].hour == {2}
    assert entry["schedule"].minute == {30}
    assert app.conf.timezone == "Asia/Shanghai"


def test_command_prints_what_it_did(setup):
    case = setup.submit()
    _age(*_files_of(case))
    name = _orphan()

    out = io.StringIO()
    with translation.override("zh-hans"):  # whatever an earlier test left active
        call_command("cases", "sweep-files", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        f"将删除 {name}",
        f"将删除 1 个无引用的文件，共 {len(PDF)} 字节；保留 2 个文件。",
    ]
    assert name in _stored()

    out = io.StringIO()
    with translation.override("en"):
        call_command("cases", "sweep-files", "--older-than-hours", "24", stdout=out)
    assert out.getvalue().splitlines() == [
        f"Deleted {name}",
        f"Deleted 1 unreferenced file(s), {len(PDF)} bytes; kept 2 file(s).",
    ]
    assert name not in _stored()


def _draft_with_lease(setup) -> Case:
    return services.case_draft_save(
        created_by=setup.applicant.user,
        applicant=setup.applicant,
        package_version=setup.package,
        answers=setup.answers(),
        accepting_region=setup.county,
        files=[upload("lease", body=PDF + b"%draft\n")],
    )


def test_files_of_a_deleted_draft_are_swept(setup):
    draft = _draft_with_lease(setup)
    name = draft.materials.get(key="lease").file.name
    services.case_draft_discard(created_by=setup.applicant.user, draft_id=draft.pk)
    _age(name)

    assert files_sweep_orphans().deleted_names == (name,)


def test_a_draft_file_carried_into_the_case_and_then_replaced_is_kept(setup):
    draft = _draft_with_lease(setup)
    carried = draft.materials.get(key="lease").file.name
    case = setup.submit(draft_id=draft.pk, materials=setup.without("lease"))
    assert case.materials.get(key="lease").file.name == carried
    services.case_request_correction(case_id=case.pk, clerk=setup.clerk, missing=["lease"])
    services.case_supplement(
        case_id=case.pk, by=setup.applicant, materials=[upload("lease", body=PDF + b"%new\n")]
    )
    assert case.materials.get(key="lease").file.name != carried
    _age(*_stored())

    assert files_sweep_orphans().deleted == 0  # the replaced file is in the event log
    assert carried in _stored()
