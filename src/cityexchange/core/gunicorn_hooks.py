"""gunicorn configuration hooks used by ``cityexchange serve``.

In the embedded default (no broker) nothing else runs the periodic work, so each
app server process starts the scheduler in a background thread once the
application is loaded; the claims in the database let only one of them run each
period. With a broker the worker's scheduler does it, and ``CITYEXCHANGE_SCHEDULER=off``
leaves it to cron or a ``cityexchange scheduler`` process.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER and settings.CITYEXCHANGE_SCHEDULER:
        from cityexchange.core.scheduler import start_in_background

        start_in_background()
