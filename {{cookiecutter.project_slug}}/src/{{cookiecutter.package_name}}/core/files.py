"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Each writer fills a temporary file in the target's directory, flushes it to disk, then renames
it over the target (an atomic step on POSIX and Windows), so a killed run leaves no torn file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import ProjectError


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to `target`; on success it replaces `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def write_with(target: Path, write: Callable[[Path], Any]) -> Path:
    """Call `write(temporary_path)` and move the result to `target` atomically."""
    with atomic_path(target) as temporary:
        write(temporary)
    return target


def write_text(text: str, target: Path) -> Path:
    """Write UTF-8 text atomically."""
    return write_with(target, lambda path: path.write_text(text, encoding="utf-8"))


def write_json(data: Any, target: Path) -> Path:
    """Write pretty, key-sorted JSON atomically (stable diffs under Git and DVC)."""
    return write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", target)


def read_json(path: Path, role: str, fix: str) -> Any:
    """Parse a JSON file the project wrote; a missing or broken file is named with `fix`.

    Raises:
        ProjectError: the file is absent, unreadable or not JSON (one line, no traceback).
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"{role} '{path}' not found: {fix}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise ProjectError(f"{role} '{path}' could not be read ({reason}): {fix}") from None
