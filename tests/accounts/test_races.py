"""Two registrations of the same person at once: one wins, the other gets the clear error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from onestop.accounts import services
from onestop.accounts.models import Applicant
from onestop.core.errors import ValidationFailed

ID = "11010519491231002X"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_id_number_give_one_applicant():
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(phone: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.applicant_register_person(name="王五", id_number=ID, phone=phone)
            outcomes.append("created")
        except ValidationFailed as exc:
            outcomes.append(exc.details.get("rule", exc.field or ""))
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in ("13807370001", "13807370002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["already_registered", "created"]
    assert Applicant.objects.filter(id_number=ID).count() == 1
