"""Periodic work runs once per period, however many schedulers run at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from typing import Any

import pytest
from celery.schedules import crontab
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cityexchange.celery import app
from cityexchange.core.models import ScheduledRun
from cityexchange.core.scheduler import Scheduler, period_start
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_an_interval_period_is_aligned_to_the_clock_whenever_a_scheduler_started() -> None:
    assert period_start(300.0, at("2026-03-02 10:04:59")) == at("2026-03-02 10:00:00")
    assert period_start(300.0, at("2026-03-02 10:00:00")) == at("2026-03-02 10:00:00")
    assert period_start(dt.timedelta(minutes=5), at("2026-03-02 10:05:01")) == at(
        "2026-03-02 10:05:00"
    )


def test_a_crontab_period_starts_at_its_last_matching_minute() -> None:
    weekly = crontab(minute=0, hour=6, day_of_week=1)  # Mondays 06:00
    # 2026-03-02 is a Monday.
    assert period_start(weekly, at("2026-03-04 12:00")) == at("2026-03-02 06:00")
    assert period_start(weekly, at("2026-03-02 06:00")) == at("2026-03-02 06:00")
    assert period_start(weekly, at("2026-03-02 05:59")) == at("2026-02-23 06:00")
    daily = crontab(hour=3, minute=17)
    assert period_start(daily, at("2026-03-02 03:16")) == at("2026-03-01 03:17")
    assert period_start(daily, at("2026-03-02 23:00")) == at("2026-03-02 03:17")


def test_every_periodic_task_of_the_apps_has_a_schedule_the_scheduler_understands() -> None:
    schedule = app.conf.beat_schedule
    assert {
        "events-send-reminders",
        "events-anonymise-registrations",
        "library-send-digests",
    } <= set(schedule)
    now = timezone.now()
    app.loader.import_default_modules()
    for entry in schedule.values():
        assert period_start(entry["schedule"], now) <= now
        assert entry["task"] in app.tasks


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, name: str, entry: Mapping[str, Any]) -> None:
        with self.lock:
            self.calls.append(name)


ENTRIES = {"demo-every-five-minutes": {"task": "demo", "schedule": 300.0}}


@pytest.mark.django_db
def test_two_schedulers_run_a_period_once_and_the_next_period_again() -> None:
    runs = Recorder()
    first = Scheduler(schedule=ENTRIES, run=runs, name="host-a:1")
    second = Scheduler(schedule=ENTRIES, run=runs, name="host-b:2")
    assert first.tick(at("2026-03-02 10:01")) == ["demo-every-five-minutes"]
    assert second.tick(at("2026-03-02 10:03")) == []
    assert first.tick(at("2026-03-02 10:04")) == []
    assert second.tick(at("2026-03-02 10:05")) == ["demo-every-five-minutes"]
    assert runs.calls == ["demo-every-five-minutes"] * 2
    claims = ScheduledRun.objects.order_by("period")
    assert [(c.claimed_by, c.period) for c in claims] == [
        ("host-a:1", at("2026-03-02 10:00")),
        ("host-b:2", at("2026-03-02 10:05")),
    ]


@pytest.mark.django_db
def test_a_period_whose_task_could_not_be_sent_is_sent_at_the_next_tick() -> None:
    runs = Recorder()

    def broker_away(name: str, entry: Mapping[str, Any]) -> None:
        raise ConnectionError("broker unreachable")

    with pytest.raises(ConnectionError):
        Scheduler(schedule=ENTRIES, run=broker_away, name="a").tick(at("2026-03-02 10:01"))
    assert not ScheduledRun.objects.exists()
    assert Scheduler(schedule=ENTRIES, run=runs, name="b").tick(at("2026-03-02 10:02")) == [
        "demo-every-five-minutes"
    ]
    assert runs.calls == ["demo-every-five-minutes"]


@pytest.mark.django_db(transaction=True)
def test_schedulers_ticking_at_the_same_moment_run_the_period_once() -> None:
    runs = Recorder()
    schedulers = [Scheduler(schedule=ENTRIES, run=runs, name=f"s{n}") for n in range(4)]
    barrier = threading.Barrier(len(schedulers))
    now = timezone.now()
    errors: list[BaseException] = []

    def tick(scheduler: Scheduler) -> None:
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            scheduler.tick(now)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert runs.calls == ["demo-every-five-minutes"]
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db
def test_in_the_embedded_default_the_reminder_runs_inline_once_for_two_schedulers(
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = EventFactory(starts_at=timezone.now() + dt.timedelta(minutes=30))
    RegistrationFactory(event=event, email="ana@recife.example", language="en")
    mail.outbox.clear()
    reminders = {"events-send-reminders": app.conf.beat_schedule["events-send-reminders"]}
    with django_capture_on_commit_callbacks(execute=True):
        Scheduler(schedule=reminders, name="web-1").tick()
        Scheduler(schedule=reminders, name="web-2").tick()
    assert [m.to for m in mail.outbox] == [["ana@recife.example"]]
    assert ScheduledRun.objects.get().claimed_by == "web-1"


@pytest.mark.django_db
def test_the_scheduler_command_runs_what_is_due_once(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("scheduler", "--once")
    first = capsys.readouterr().out
    assert "events-send-reminders" in first
    call_command("scheduler", "--once")
    assert capsys.readouterr().out.startswith("0 periodic task(s) run")
    names = set(ScheduledRun.objects.values_list("task", flat=True))
    assert names == set(app.conf.beat_schedule)
