"""The embedded default as `cityexchange serve` runs it: gunicorn with two worker processes.

Rate limits must count across both workers, and neither the access log nor the
server's own log may keep a personal link's token or a mail's content.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

# The tests share one running system and build on each other's state: one xdist
# worker runs the whole module (``--dist loadscope``, set in the Makefile).
pytestmark = pytest.mark.concurrency

FINDER_LIMIT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    var = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
        "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
        "SECRET_KEY": "s" * 60,
        "CITYEXCHANGE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var}/db.sqlite3",
        # Static files from the apps' folders, without a collectstatic run.
        "CITYEXCHANGE_TESTING": "1",
        "CITYEXCHANGE_BEHIND_PROXY": "1",
        "CITYEXCHANGE_RATELIMIT": "on",
    }
    subprocess.run(
        [sys.executable, "-m", "cityexchange", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        timeout=300,
    )
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "cityexchange", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/api/v1/events/ping", timeout=20)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield {"url": url, "log": var / "server.log", "var": var}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _burst(url: str, client: str, count: int) -> list[int]:
    def search(_n: int) -> int:
        # A new connection each time, so both workers accept some of them.
        response = requests.post(
            f"{url}/api/v1/finder",
            json={"description": "open data"},
            headers={"X-Forwarded-For": client, "Connection": "close"},
            timeout=30,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(search, range(count)))


def _finder_servers(log: Path) -> list[str]:
    """The worker process ("<pid>") of each finder request in the access log, in order."""
    return [
        found.group(0)
        for line in log.read_text().splitlines()
        if "POST /api/v1/finder" in line and (found := re.search(r"<\d+>", line))
    ]


def test_a_rate_limit_counts_across_both_worker_processes(served: dict[str, Any]) -> None:
    # A burst counts only when both workers served part of it (the kernel hands new
    # connections to either, not always to both) and it did not straddle the end of a
    # one-minute window; each burst comes from a new client with its own count.
    # Counted per process, a burst served by both lets at least one more in than the
    # limit (the second process accepts its first request), so exactly the limit from
    # both workers shows one shared count.
    seen: list[tuple[int, int]] = []
    for n in range(8):
        before = len(_finder_servers(served["log"]))
        codes = _burst(served["url"], f"203.0.113.{10 + n}", FINDER_LIMIT + 15)
        assert 429 in codes
        accepted = sum(code != 429 for code in codes)
        time.sleep(0.3)  # the access line is written after the answer
        workers = set(_finder_servers(served["log"])[before:])
        seen.append((accepted, len(workers)))
        if len(workers) == 2 and accepted == FINDER_LIMIT:
            break
    assert (FINDER_LIMIT, 2) in seen, seen


def test_personal_link_tokens_never_reach_the_logs(served: dict[str, Any]) -> None:
    token = "Zq8xVb3NpLw2RtYk5MhC7dJf"
    url = served["url"]
    page = f"{url}/en/events/registration/{token}/"
    assert requests.get(page, timeout=10).status_code == 404
    requests.get(f"{url}/en/", headers={"Referer": page}, timeout=10)
    requests.get(f"{url}/en/library/unsubscribe/{token}/", timeout=10)
    time.sleep(0.5)
    log = served["log"].read_text()
    assert "/registration/[token]/" in log
    assert token not in log


def test_the_embedded_scheduler_runs_each_periodic_task_once_for_both_workers(
    served: dict[str, Any],
) -> None:
    import sqlite3

    from cityexchange.celery import app

    expected = set(app.conf.beat_schedule)
    deadline = time.monotonic() + 60
    while True:
        with sqlite3.connect(served["var"] / "db.sqlite3", timeout=30) as db:
            rows = db.execute("SELECT task, period FROM core_scheduledrun").fetchall()
        if {task for task, _ in rows} >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert {task for task, _ in rows} == expected
    # Both app server processes run a scheduler (the second may still be starting when
    # the first has claimed every period); each period was claimed once.
    while True:
        started = set(re.findall(r"Scheduler (\S+) started", served["log"].read_text()))
        if len(started) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(started) == 2, started
    periods_per_task = {task: sum(1 for t, _ in rows if t == task) for task in expected}
    assert periods_per_task["events-anonymise-registrations"] == 1
