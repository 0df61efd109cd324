"""The `cityexchange` command and `python -m cityexchange`."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cityexchange.core.services import api_token_authenticate


def test_python_dash_m_lists_the_projects_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cityexchange", "help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"CITYEXCHANGE_TESTING": "1", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    for command in ("seed", "create-token", "serve", "worker", "migrate"):
        assert command in result.stdout


@pytest.mark.django_db
def test_create_token_prints_a_working_token_once(staff: Any) -> None:
    out, err = StringIO(), StringIO()
    call_command("create-token", staff.email.upper(), "--name", "ci", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert api_token_authenticate(raw=raw) == staff
    assert "not shown again" in err.getvalue()


@pytest.mark.django_db
def test_create_token_for_an_unknown_user_fails_clearly() -> None:
    with pytest.raises(CommandError, match="No user with the email address 'ghost@x.example'"):
        call_command("create-token", "ghost@x.example")


def test_worker_without_a_broker_explains_that_tasks_run_inline() -> None:
    with pytest.raises(CommandError, match="tasks already run inline"):
        call_command("worker")
