"""A plain text progress bar for long commands (no extra dependency)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, *, label: str = "", stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last = -1

    def update(self, done: int, total: int | None = None) -> None:
        if total:
            self.total = max(total, 1)
        percent = int(100 * done / self.total)
        if percent == self._last and done < self.total:
            return
        self._last = percent
        filled = percent * 30 // 100
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{done}/{self.total} ({percent}%) {elapsed:.1f}s"
        )
        if done >= self.total:
            self.stream.write("\n")
        self.stream.flush()
