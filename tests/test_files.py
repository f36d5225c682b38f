"""The one atomic file writer: whole new file or the old one, never a torn one or a stray temp."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from plantrack import files


def test_a_written_file_replaces_the_old_one_whole_with_ordinary_permissions(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "report.md"
    files.write_text(dest, "old")
    files.write_text(dest, "new\n")
    assert dest.read_text(encoding="utf-8") == "new\n"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in dest.parent.iterdir()] == ["report.md"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    dest = tmp_path / "backup.db"
    files.write_bytes(dest, b"old")
    with pytest.raises(RuntimeError), files.replacing(dest) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed half way")
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.db"]


def test_stored_copies_can_be_made_read_only(tmp_path: Path) -> None:
    src = tmp_path / "evidence.pdf"
    src.write_bytes(b"%PDF")
    dest = tmp_path / "store" / "ab" / "abcd"
    files.copy(src, dest, mode=0o444)
    assert dest.read_bytes() == b"%PDF"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o444
