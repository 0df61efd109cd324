"""With a broker configured, tasks leave the web process and run on a Celery worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(
    not redis_reachable() and os.environ.get("CI") != "true",
    reason="no Redis on 127.0.0.1:6379 to act as broker",
)
def test_a_mail_task_is_delivered_by_a_worker(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
        "CITYEXCHANGE_TESTING": "1",
        "CITYEXCHANGE_BROKER_URL": "redis://127.0.0.1:6379/14",
        "CITYEXCHANGE_EMAIL": "file",
        "CITYEXCHANGE_VAR_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "cityexchange", "worker", "--no-beat", "--concurrency", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        send = (
            "import django; django.setup();"
            "from cityexchange.core.tasks import send_message;"
            "result = send_message.delay({'to': 'a@b.example', 'subject': 'Via worker', 'body': 'Hi'});"
            "print(result.id)"
        )
        # The sender keeps mail in memory: a file can only come from the worker.
        sender_env = {**env, "CITYEXCHANGE_EMAIL": "memory"}
        sent = subprocess.run(
            [sys.executable, "-c", send],
            env=sender_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert sent.returncode == 0, sent.stderr
        mail_dir = tmp_path / "mail"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = list(mail_dir.glob("*.log")) if mail_dir.exists() else []
            if files:
                break
            time.sleep(0.5)
        assert files, "the worker did not deliver the mail within 60 s"
        assert "Subject: Via worker" in files[0].read_text()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
