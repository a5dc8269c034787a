"""The one atomic writer: whole files or none, permissions like any file the user creates, bytes as given."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccsim.contact_center.files import open_atomic, write_bytes_atomic, write_text_atomic


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_text_is_written_exactly_and_parents_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "out.csv"
    write_text_atomic(path, "x,y\r\n1,2\nünïcode\n")
    assert path.read_bytes() == "x,y\r\n1,2\nünïcode\n".encode()
    assert os.listdir(path.parent) == ["out.csv"]


def test_bytes_replace_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"old")
    write_bytes_atomic(path, b"\x89PNG\r\n\x00")
    assert path.read_bytes() == b"\x89PNG\r\n\x00"


def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_text_atomic(path, "old\n")
    with pytest.raises(RuntimeError, match="boom"), open_atomic(path) as handle:
        handle.write("half of the new")
        raise RuntimeError("boom")
    assert path.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["report.json"]


def test_permissions_follow_the_umask_not_0600(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "summary.json"
    write_text_atomic(path, "{}\n")
    assert path.stat().st_mode & 0o777 == 0o644
