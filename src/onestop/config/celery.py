"""Celery: background and periodic work.

With ``ONESTOP_BROKER_URL`` set (e.g. ``redis://127.0.0.1:6379/0``) tasks go to the broker
and a worker runs them: ``celery -A onestop.config.celery worker --beat``. Without it (the
embedded default) tasks run eagerly in the calling process, so nothing else needs to run.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")

app = Celery("onestop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are Asia/Shanghai (CELERY_TIMEZONE): the sweeps run after midnight, when a
# supplement date that ended yesterday has passed.
app.conf.beat_schedule = {
    "terminate-overdue-tolerated": {
        "task": "onestop.cases.tasks.cases_sweep_overdue_tolerated",
        "schedule": crontab(hour=0, minute=10),
    },
    "refresh-provisional-dues": {
        "task": "onestop.cases.tasks.cases_refresh_dues",
        "schedule": crontab(hour=1, minute=0),
        "kwargs": {"provisional_only": True},
    },
    # Uploads of rolled-back submissions and of deleted drafts; only files a day old, so no
    # upload whose transaction is still running is touched.
    "sweep-orphan-files": {
        "task": "onestop.cases.tasks.cases_sweep_orphan_files",
        "schedule": crontab(hour=2, minute=30),
    },
    # Notifications: rows still pending whose next attempt is due (retries with backoff,
    # and rows whose on-commit publish was lost).
    "deliver-due-notifications": {
        "task": "onestop.notifications.tasks.notifications_deliver_due",
        "schedule": 60.0,
    },
    # Reminders (cases/reminders.py): tolerated materials due within three working days, in
    # the morning; tasks turning yellow or red, hourly through the working day.
    "remind-tolerated-due": {
        "task": "onestop.cases.tasks.cases_remind_tolerated",
        "schedule": crontab(hour=8, minute=30),
    },
    "notify-task-lights": {
        "task": "onestop.cases.tasks.cases_notify_task_lights",
        "schedule": crontab(hour="8-18", minute=5),
    },
    # Stats: refresh the figures of cases whose events moved past them (what a failed
    # after-commit handler left undone); a no-op when all is current.
    "stats-sweep": {
        "task": "onestop.stats.tasks.stats_sweep",
        "schedule": 600.0,
    },
}

# 电子监察 (supervision/services.py): raise and clear the signals every 10 minutes through
# the working day (the case-event hook does it at once; this catches up what it missed and
# the lights that turn with time alone).
app.conf.beat_schedule["supervision-sweep"] = {
    "task": "onestop.supervision.tasks.supervision_sweep",
    "schedule": crontab(minute="*/10", hour="7-20"),
}

# 好差评 (evaluations/tasks.py, docs/evaluations.md): push what the provincial platform has
# not acknowledged and light evaluators a failed hand-out handler missed, every minute;
# invite unrated cases by SMS in the morning; the default rating (off unless configured)
# at night.
app.conf.beat_schedule.update(
    {
        "ratings-push-due": {
            "task": "onestop.evaluations.tasks.ratings_push_due",
            "schedule": 60.0,
        },
        "evaluators-catch-up": {
            "task": "onestop.evaluations.tasks.evaluators_catch_up",
            "schedule": 60.0,
        },
        "rating-invitations": {
            "task": "onestop.evaluations.tasks.rating_invitations_send",
            "schedule": crontab(hour=9, minute=30),
        },
        "ratings-default-sweep": {
            "task": "onestop.evaluations.tasks.ratings_default_sweep",
            "schedule": crontab(hour=0, minute=40),
        },
    }
)

# Results (certificates/tasks.py): issue what a failed after-commit handler left (every
# 10 minutes) and mark certificates past their validity 失效 (nightly).
app.conf.beat_schedule.update(
    {
        "certificates-issue-missing": {
            "task": "onestop.certificates.tasks.certificates_issue_missing",
            "schedule": 600.0,
        },
        "certificates-expire": {
            "task": "onestop.certificates.tasks.certificates_expire",
            "schedule": crontab(hour=0, minute=20),
        },
    }
)

# 邮政双向专递 (delivery/tasks.py): carrier orders still waiting (a carrier that was down),
# the tracking of every parcel under way, hand-outs by post that failed — every 5 minutes.
app.conf.beat_schedule["delivery-sync"] = {
    "task": "onestop.delivery.tasks.delivery_sync",
    "schedule": 300.0,
}
