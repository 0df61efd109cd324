"""`cityexchange backup` and `restore`: a round trip into an empty installation.

Runs on the suite's engine (SQLite, or PostgreSQL when DATABASE_URL points there),
through the command line as an operator would use it, in fresh databases of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.concurrency

SRC = str(Path(__file__).resolve().parents[2] / "src")
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
SEARCH = (
    "from cityexchange.library.selectors import search_resources;"
    "r = search_resources(query='Wassermanagement', language='de');"
    "print(r.count, [item.resource.slug for item in r.items][:5])"
)


def _database(name: str, folder: Path) -> str:
    if not POSTGRES:
        return f"sqlite:///{folder}/db.sqlite3"
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"{base}/{name}"


@pytest.fixture
def installations(tmp_path: Path) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    suffix = uuid.uuid4().hex[:8]
    envs = []
    for side in ("a", "b"):
        folder = tmp_path / side
        folder.mkdir()
        envs.append(
            {
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": SRC,
                "DJANGO_SETTINGS_MODULE": "cityexchange.settings",
                "SECRET_KEY": "b" * 60,
                "CITYEXCHANGE_TESTING": "1",
                "CITYEXCHANGE_VAR_DIR": str(folder),
                "DATABASE_URL": _database(f"cx_backup_{side}_{suffix}", folder),
            }
        )
    yield envs[0], envs[1]
    if POSTGRES:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        for side in ("a", "b"):
            subprocess.run(
                ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE cx_backup_{side}_{suffix}"],
                check=False,
            )


def cx(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityexchange", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=check,
    )


def test_a_backup_restores_into_an_empty_installation_with_search_and_files(
    installations: tuple[dict[str, str], dict[str, str]],
) -> None:
    origin, copy = installations
    cx(origin, "migrate", "--noinput", "-v", "0")
    cx(origin, "seed")
    upload = Path(origin["CITYEXCHANGE_VAR_DIR"]) / "media" / "attachments" / "plan.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 a plan")
    found = cx(origin, "shell", "-c", SEARCH).stdout
    assert found.split()[0] != "0", "the seeded library should answer the search"

    archive = Path(cx(origin, "backup").stdout.strip())
    assert archive.is_file()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    result = cx(copy, "restore", str(archive))
    assert "Restored" in result.stdout
    assert cx(copy, "shell", "-c", SEARCH).stdout == found
    restored = Path(copy["CITYEXCHANGE_VAR_DIR"]) / "media" / "attachments" / "plan.pdf"
    assert restored.read_bytes() == b"%PDF-1.4 a plan"
    assert "No migrations to apply" in cx(copy, "migrate", "--noinput").stdout

    # A second restore would overwrite what is there now: refused with a reason.
    again = cx(copy, "restore", str(archive), check=False)
    assert again.returncode != 0
    assert "not empty" in again.stderr


def test_a_file_that_is_not_a_backup_is_refused(
    installations: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    _origin, copy = installations
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"not an archive")
    result = cx(copy, "restore", str(bogus), check=False)
    assert result.returncode != 0
    assert "is not a cityexchange backup" in result.stderr
