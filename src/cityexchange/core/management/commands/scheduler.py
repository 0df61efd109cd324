"""``cityexchange scheduler``: run the periodic work (reminders, digests, ...) on its own.

Each period of each periodic task is claimed in the database first, so any number
of schedulers (this command, ``cityexchange worker``'s, the app server's in the
embedded default) run it once. With a broker the tasks go to the workers; without
one they run here.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cityexchange.core.scheduler import Scheduler


class Command(BaseCommand):
    help = "Run the scheduler of periodic work (once per period, however many run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Claim and run what is due now, then stop."
        )

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        scheduler = Scheduler()
        if once:
            ran = scheduler.tick()
            self.stdout.write(f"{len(ran)} periodic task(s) run: {', '.join(ran) or '-'}")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        scheduler.loop(stop)
