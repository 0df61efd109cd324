"""Reading the shipped data files, with errors that name file, entry and field."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cityexchange.core.i18n import LANGUAGES

# libyaml's loader is about ten times faster; PyYAML wheels ship it on every platform we target.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataFileError(Exception):
    """A shipped or imported data file is wrong; the message says where."""

    def __init__(
        self, path: Path | str, message: str, *, entry: str | None = None, field: str | None = None
    ) -> None:
        self.path = str(path)
        self.entry = entry
        self.field = field
        where = Path(self.path).name
        if entry is not None:
            where += f", entry {entry!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


@lru_cache(maxsize=32)
def _parse(path: Path, mtime_ns: int) -> Any:
    # Keyed by modification time: an edited file is read again, an unchanged one is not.
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # noqa: S506 - a safe loader


def load_yaml(path: Path, *, key: str) -> list[dict[str, Any]]:
    """Load ``path`` and return the list under ``key``, checking its shape.

    The parsed document is shared between calls: callers read it, never change it.
    """
    try:
        document = _parse(path, path.stat().st_mtime_ns)
    except FileNotFoundError as exc:
        raise DataFileError(path, "file not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(path, f"not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise DataFileError(path, f"expected a mapping with a list under {key!r}")
    entries = document[key]
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise DataFileError(path, "each entry must be a mapping", entry=f"#{index + 1}")
    return entries


class Entry:
    """Typed access to one entry of a data file; every error names the field."""

    def __init__(self, path: Path, data: dict[str, Any], *, id_field: str) -> None:
        self.path = path
        self.data = data
        raw_id = data.get(id_field)
        self.id = str(raw_id) if raw_id is not None else "?"
        if not isinstance(raw_id, str) or not raw_id.strip():
            raise DataFileError(path, "is required and must be text", entry=self.id, field=id_field)

    def error(self, field: str, message: str) -> DataFileError:
        return DataFileError(self.path, message, entry=self.id, field=field)

    def text(self, field: str, *, required: bool = True, default: str = "") -> str:
        value = self.data.get(field)
        if value is None:
            if required:
                raise self.error(field, "is required")
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.error(field, "must be text")
        return str(value).strip()

    def integer(
        self, field: str, *, required: bool = False, minimum: int | None = None
    ) -> int | None:
        value = self.data.get(field)
        if value is None:
            if required:
                raise self.error(field, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, f"must be a whole number, not {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(field, f"must be at least {minimum}")
        return value

    def choice(
        self, field: str, choices: Iterable[str], *, required: bool = True, default: str = ""
    ) -> str:
        allowed = list(choices)
        value = self.text(field, required=required, default=default)
        if value and value not in allowed:
            raise self.error(field, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def text_list(self, field: str) -> list[str]:
        value = self.data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(field, "must be a list of texts")
        return [v.strip() for v in value]

    def translations(self, field: str, *, required: bool = True) -> dict[str, str]:
        """A ``{de, en, es, pt}`` mapping; all four languages are required when required."""
        value = self.data.get(field)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.error(field, "must map each of de, en, es, pt to a text")
        result: dict[str, str] = {}
        for language in LANGUAGES:
            text = value.get(language)
            if text is None or not str(text).strip():
                if required:
                    raise self.error(f"{field}.{language}", "is missing or empty")
                continue
            result[language] = str(text).strip()
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            raise self.error(field, f"unknown languages: {', '.join(sorted(unknown))}")
        return result
