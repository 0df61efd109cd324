"""Periodic work, once per period however many schedulers run.

The apps declare their periodic tasks in Celery's ``beat_schedule`` (see
``events/apps.py``). Celery's own beat keeps its schedule per process, so two workers
with beat (or a spare started during a deployment) would send every reminder run
twice. This scheduler reads the same entries, but each period of each entry must be
*claimed* first: an insert into ``ScheduledRun`` whose unique constraint on
(task, period) lets exactly one scheduler win. Periods are aligned to the clock (an
interval of 300 s means 10:00, 10:05, ...; a crontab means its last matching minute),
so every scheduler computes the same period whenever it started.

It runs in three places, all with the same claims:
- ``cityexchange worker`` (unless ``--no-beat``), sending the task to the broker;
- ``cityexchange scheduler``, a process of its own;
- in the embedded default (no broker) inside ``cityexchange serve``'s app server
  processes, running the task inline in a background thread.

A period that started while no scheduler was running is run once when one starts
(the tasks are idempotent: a reminder, a digest or an anonymisation done twice
changes nothing), never more than once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

from celery.schedules import crontab
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from cityexchange.core.models import ScheduledRun

logger = logging.getLogger(__name__)

# Claims older than this are deleted; they only matter while their period is current.
KEEP_CLAIMS = dt.timedelta(days=35)


def _as_seconds(schedule: Any) -> float | None:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, dt.timedelta):
        return schedule.total_seconds()
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    if isinstance(run_every, dt.timedelta):
        return run_every.total_seconds()
    return None


def period_start(schedule: Any, now: dt.datetime) -> dt.datetime:
    """The start of the period ``now`` falls in: the same for every scheduler."""
    seconds = _as_seconds(schedule)
    if seconds is not None:
        if seconds < 1:
            raise ValueError("A periodic task needs an interval of at least one second.")
        epoch = now.timestamp()
        return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)
    if isinstance(schedule, crontab):
        return _last_crontab_time(schedule, now)
    raise TypeError(f"Unsupported schedule {schedule!r}: use seconds, a timedelta or a crontab.")


def _last_crontab_time(schedule: crontab, now: dt.datetime) -> dt.datetime:
    """The latest minute at or before ``now`` (UTC, Celery's time zone here) it matches."""
    now = now.astimezone(dt.UTC).replace(second=0, microsecond=0)
    hours = sorted(schedule.hour, reverse=True)
    minutes = sorted(schedule.minute, reverse=True)
    for days_back in range(0, 367 * 4):
        day = now.date() - dt.timedelta(days=days_back)
        # Celery numbers the days of the week from Sunday = 0.
        if (
            day.month not in schedule.month_of_year
            or day.day not in schedule.day_of_month
            or day.isoweekday() % 7 not in schedule.day_of_week
        ):
            continue
        for hour in hours:
            for minute in minutes:
                candidate = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
                if candidate <= now:
                    return candidate
    raise ValueError(f"{schedule!r} never matched in the last four years.")


def scheduler_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def period_claim(*, task: str, period: dt.datetime, by: str) -> bool:
    """Claim one period of one task; False when another scheduler has it already."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(task=task, period=period, claimed_by=by[:200])
    except IntegrityError:
        return False
    ScheduledRun.objects.filter(task=task, period__lt=period - KEEP_CLAIMS).delete()
    return True


def dispatch(name: str, entry: Mapping[str, Any]) -> None:
    """Send the task to the broker, or (embedded default) run it here and now."""
    from cityexchange.celery import app

    args = entry.get("args") or ()
    kwargs = entry.get("kwargs") or {}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            app.tasks[entry["task"]].apply(args=args, kwargs=kwargs, throw=True)
        except Exception:
            logger.exception("Periodic task %s failed", name)
        return
    options = dict(entry.get("options") or {})
    app.send_task(entry["task"], args=args, kwargs=kwargs, **options)


class Scheduler:
    """Claims and runs the due periods of the beat schedule, one ``tick`` at a time."""

    def __init__(
        self,
        *,
        schedule: Mapping[str, Mapping[str, Any]] | None = None,
        run: Callable[[str, Mapping[str, Any]], None] = dispatch,
        name: str | None = None,
    ) -> None:
        from cityexchange.celery import app

        # The apps' tasks modules, which Celery otherwise imports only in a worker.
        app.loader.import_default_modules()
        if schedule is None:
            schedule = app.conf.beat_schedule
        self.schedule = schedule
        self.run = run
        self.name = name or scheduler_name()
        # The last period this process has seen per entry, so that a tick between
        # period starts costs no query.
        self._seen: dict[str, dt.datetime] = {}

    def tick(self, now: dt.datetime | None = None) -> list[str]:
        """Claim and run what is due; returns the names of the entries this process ran."""
        now = now or timezone.now()
        ran = []
        for name, entry in sorted(self.schedule.items()):
            period = period_start(entry["schedule"], now)
            if self._seen.get(name) == period:
                continue
            if period_claim(task=name, period=period, by=self.name):
                logger.info("Periodic task %s for the period from %s", name, period.isoformat())
                try:
                    self.run(name, entry)
                except Exception:
                    # Not sent (the broker is away): give the period back, so that the
                    # next tick of any scheduler sends it.
                    ScheduledRun.objects.filter(task=name, period=period).delete()
                    raise
                ran.append(name)
            self._seen[name] = period
        return ran

    def loop(self, stop: threading.Event, interval: float | None = None) -> None:
        """Tick until ``stop`` is set; a database that is briefly away is retried."""
        interval = interval if interval is not None else settings.CITYEXCHANGE_SCHEDULER_TICK
        logger.info("Scheduler %s started (%d periodic tasks)", self.name, len(self.schedule))
        while not stop.is_set():
            close_old_connections()
            try:
                self.tick()
            except Exception:
                logger.exception("Scheduler tick failed; trying again")
            stop.wait(interval)
        close_old_connections()


def start_in_background(*, name: str | None = None) -> threading.Event:
    """Run a scheduler in a daemon thread of this process; set the event to stop it."""
    stop = threading.Event()
    scheduler = Scheduler(name=name)
    thread = threading.Thread(
        target=scheduler.loop, args=(stop,), name="cityexchange-scheduler", daemon=True
    )
    thread.start()
    return stop
