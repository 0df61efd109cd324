"""Keep personal-link tokens out of every log line.

Personal links (managing a registration or a marketplace order, unsubscribing, a
saved Finder result, verifying an address, accepting an invitation) carry a secret in
their path. Access
logs, referrers and Django's "Not Found" warnings would otherwise keep it, and a log
reader could act as the person. The same redaction serves gunicorn's access log
(``AccessLogger``, set by ``cityexchange serve``) and Python logging (``RedactTokens``,
set in ``settings.LOGGING``). This module imports nothing from Django so that
gunicorn's master process can load it before the application.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

# A path segment that follows one of these words is a secret.
_SECRET_AFTER = (
    "registration",
    "unsubscribe",
    "results",
    "confirm-email",
    "key",
    "invitation",
    # A marketplace order's status page and API (a shop's order ids are hidden alike).
    "order",
    "orders",
)
_WORDS = "|".join(map(re.escape, _SECRET_AFTER))
_SECRET = re.compile(rf"(/(?:{_WORDS})/)[^/?#\s\"']+")
REDACTED = "[token]"
# gunicorn's access line: time, worker process, method, path, status, size, duration.
# No client address, user, query string, referrer or browser: nothing that identifies
# a person (the path's tokens are redacted besides).
ACCESS_FORMAT = '%(t)s %(p)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def redact(text: str) -> str:
    """``text`` with every personal-link token replaced by ``[token]``."""
    return _SECRET.sub(r"\1" + REDACTED, text)


class AccessLogger(Logger):
    """gunicorn's logger with tokens removed from the request line, path and referrer."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms


class RedactTokens(logging.Filter):
    """A logging filter that redacts tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True
