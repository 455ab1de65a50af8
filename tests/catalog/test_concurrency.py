"""Publishing under concurrency (PostgreSQL only: SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from onestop.catalog import services
from onestop.catalog.models import ServiceItemVersion, VersionStatus
from onestop.core.errors import DomainError
from tests.factories.catalog import ServiceItemVersionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*versions: ServiceItemVersion) -> list[str]:
    barrier = threading.Barrier(len(versions))
    results: list[str] = []

    def publish(pk: int) -> None:
        try:
            barrier.wait()
            services.item_version_publish(version=ServiceItemVersion.objects.get(pk=pk))
            results.append("ok")
        except DomainError as exc:
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(v.pk,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


def test_double_click_on_publish_publishes_once():
    version = ServiceItemVersionFactory()
    assert _race(version, version) == ["IllegalTransition", "ok"]
    assert ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 1


def test_two_drafts_published_at_once_leave_one_published():
    first = ServiceItemVersionFactory()
    second = ServiceItemVersionFactory(item=first.item, version=2)
    assert _race(first, second) == ["ok", "ok"]
    statuses = sorted(first.item.versions.values_list("status", flat=True))
    assert statuses == [VersionStatus.PUBLISHED, VersionStatus.RETIRED]
