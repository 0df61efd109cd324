"""Back up an installation into one archive and restore it into an empty one.

The database is copied with each engine's own tool, so that everything it holds comes
back as it was, the search index included: SQLite's online backup API (consistent
while the platform keeps running) and ``pg_dump``/``pg_restore`` for PostgreSQL.
Uploaded files travel beside it, and a manifest records the engine, the applied
migrations and the number of rows per model, which a restore checks.

The archive holds personal data: it is written readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
DATABASE_SQLITE = "database.sqlite3"
DATABASE_POSTGRES = "database.pgdump"
FILES = "files"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass
class Restored:
    engine: str
    rows: int
    files: int
    created_at: str


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label != "sessions" and not model._meta.proxy and model._meta.managed
    }


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} failed: {exc.stderr.strip()}") from exc


def backup(destination: Path) -> Path:
    """Write ``cityexchange-<UTC time>.tar.gz`` into ``destination`` and return its path."""
    destination.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = destination / f"cityexchange-{stamp}.tar.gz"
    engine = _engine()
    with tempfile.TemporaryDirectory(prefix="cityexchange-backup-") as work:
        folder = Path(work)
        if engine == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(folder / DATABASE_SQLITE)
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            env, args = _pg_env_and_args()
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(folder / DATABASE_POSTGRES),
                    *args,
                ],
                env,
            )
        media = Path(settings.MEDIA_ROOT)
        files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": stamp,
            "migrations": sorted(
                f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
            ),
            "rows": _row_counts(),
            "files": len(files),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        descriptor = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(folder / MANIFEST, arcname=MANIFEST)
            for name in (DATABASE_SQLITE, DATABASE_POSTGRES):
                if (folder / name).exists():
                    tar.add(folder / name, arcname=name)
            for path in files:
                tar.add(path, arcname=f"{FILES}/{path.relative_to(media).as_posix()}")
    return archive


def _is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(archive: Path, *, replace: bool = False) -> Restored:
    """Restore ``archive`` into this installation, which must be empty unless ``replace``."""
    if not archive.is_file():
        raise BackupError(f"No backup at {archive}.")
    engine = _engine()
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="cityexchange-restore-") as work:
        folder = Path(work)
        try:
            with tarfile.open(archive, mode="r:gz") as tar:
                tar.extractall(folder, filter="data")
            manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BackupError(f"{archive} is not a cityexchange backup: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive} has a backup format this version cannot read.")
        if manifest["engine"] != engine:
            raise BackupError(
                f"The backup is of a {manifest['engine']} database; this installation uses "
                f"{engine}. Restore it into the same engine."
            )
        has_files = media.exists() and any(media.iterdir())
        if not replace and (not _is_empty() or has_files):
            raise BackupError(
                "This installation is not empty (database tables or uploaded files exist). "
                "Restore into a new, empty database and folder, or pass --replace."
            )
        if engine == "sqlite":
            connections.close_all()
            source = sqlite3.connect(folder / DATABASE_SQLITE)
            target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            connections.close_all()
            env, args = _pg_env_and_args()
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
            if replace:
                command += ["--clean", "--if-exists"]
            _run([*command, "--single-transaction", *args, str(folder / DATABASE_POSTGRES)], env)
        if replace and media.exists():
            shutil.rmtree(media)
        if (folder / FILES).exists():
            shutil.copytree(folder / FILES, media, dirs_exist_ok=True)
    counts = _row_counts()
    expected = manifest["rows"]
    different = {
        label: (count, counts.get(label))
        for label, count in expected.items()
        if counts.get(label) != count
    }
    if different:
        raise BackupError(f"Row counts differ after the restore: {different}")
    restored_files = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    if restored_files < manifest["files"]:
        raise BackupError(
            f"Only {restored_files} of {manifest['files']} files were restored to {media}."
        )
    return Restored(
        engine=engine,
        rows=sum(expected.values()),
        files=manifest["files"],
        created_at=manifest["created_at"],
    )
