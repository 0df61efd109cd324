"""Thin task wrappers of the core app; they run inline unless a broker is configured.

Each task is defined next to the code it wraps and imported here, so the worker's
autodiscovery finds it and nothing that queues a task has to import this module.
"""

from __future__ import annotations

from cityexchange.core.mail import send_message

__all__ = ["send_message"]
