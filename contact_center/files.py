"""Atomic file writes: every result, report, checkpoint, scenario file and cache is written through here.

The content goes to a temporary file in the target's folder, is synced, then renamed over the target, so a
reader (or a resumed run) sees the old file or the new one, never half of one, even after a kill.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

_NAME_TRIES = 16


def _create_temporary(target: Path) -> tuple[int, Path]:
    # os.open with 0o666 lets the umask decide the permissions, as for any file the user creates; mkstemp's
    # 0600 would leave shared results unreadable to the rest of the team.
    for _ in range(_NAME_TRIES):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {target}")


@contextmanager
def _atomic(path: str | Path, binary: bool) -> Iterator[IO[Any]]:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = _create_temporary(target)
    try:
        # newline="": the text is written exactly as given, on every platform.
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@overload
def open_atomic(path: str | Path, mode: Literal["w"] = "w") -> AbstractContextManager[TextIO]: ...
@overload
def open_atomic(path: str | Path, mode: Literal["wb"]) -> AbstractContextManager[BinaryIO]: ...
def open_atomic(path: str | Path, mode: Literal["w", "wb"] = "w") -> AbstractContextManager[IO[Any]]:
    """A handle on a new version of `path` (UTF-8 text, or bytes with "wb"), which replaces the file only
    when the `with` block ends without an exception; otherwise the file is left as it was."""
    return _atomic(path, binary=mode == "wb")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, line endings as given) in one step."""
    with open_atomic(path) as handle:
        handle.write(text)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace `path` with `data` in one step."""
    with open_atomic(path, "wb") as handle:
        handle.write(data)
