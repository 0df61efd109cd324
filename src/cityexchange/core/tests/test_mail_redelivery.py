"""A mail task that runs again after its worker died does not send the mail twice."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail

from cityexchange.core.mail import Message, deliver


def on_worker(monkeypatch: pytest.MonkeyPatch, task_id: str) -> None:
    """Make ``deliver`` see a task running on a worker (not inline) with ``task_id``."""
    task = SimpleNamespace(request=SimpleNamespace(id=task_id, is_eager=False))
    monkeypatch.setattr("celery.current_task", task)


def test_a_redelivered_task_does_not_send_its_mail_again(monkeypatch: pytest.MonkeyPatch) -> None:
    mail.outbox.clear()
    message = Message(to="ana@recife.example", subject="Your seat", body="Confirmed.")
    on_worker(monkeypatch, "task-1")
    deliver(message)
    # The same task again (its worker died before acknowledging it): nothing more.
    deliver(message)
    assert [m.to for m in mail.outbox] == [["ana@recife.example"]]
    # Another task with the same content is another mail.
    on_worker(monkeypatch, "task-2")
    deliver(message)
    assert len(mail.outbox) == 2


def test_inline_mail_is_always_sent() -> None:
    mail.outbox.clear()
    message = Message(to="ana@recife.example", subject="Your seat", body="Confirmed.")
    deliver(message)
    deliver(message)
    assert len(mail.outbox) == 2
