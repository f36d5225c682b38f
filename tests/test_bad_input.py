"""Every bad input a message: numbers beyond SQLite's range, empty paths, bytes that are not
UTF-8 in text and file names (GBK- and Big5-named scans are common at both sites)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plantrack.core.text import from_os


@pytest.mark.parametrize(
    "args",
    [
        ("history", "--limit", "99999999999999999999"),
        ("retract", "99999999999999999999", "--reason", "x"),
        ("attachment", "99999999999999999999"),
        ("show", "99999999999999999999"),
        ("report", "--out", ""),
        ("calendar", "--out", ""),
        ("db", "backup", ""),
        ("db", "restore", ""),
        ("plan", "check", ""),
        ("log", "--csv", ""),
        ("log", "obj-a", "x", "--attach", ""),
        ("export", "--out", ""),
        ("import", ""),
        ("log", "--csv", "/dev/zero"),
        ("measure", "--csv", "/dev/null"),
        ("plan", "check", "/dev/zero"),
        ("import", "/dev/zero"),
    ],
)
def test_out_of_range_numbers_and_empty_paths_are_bad_input(small, args: tuple[str, ...]) -> None:
    r = small(*args)
    assert r.exit_code == 2, (args, r.stdout, r.stderr)
    assert "internal error" not in r.stderr


def _run(db: Path, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PLANTRACK_DB=str(db))
    return subprocess.run([sys.executable.encode(), b"-m", b"plantrack", *args], env=env, capture_output=True)


def test_text_that_is_not_utf8_is_read_as_chinese_or_kept_with_replacements(small, tmp_path: Path) -> None:
    db = Path(os.environ["PLANTRACK_DB"])
    gbk_note = "测试进度".encode("gbk")
    r = _run(db, b"log", b"obj-a", gbk_note)
    assert r.returncode == 0, r.stderr
    r = _run(db, b"--user", "陳大文".encode("big5"), b"log", b"obj-a", b"from Hong Kong")
    assert r.returncode == 0, r.stderr
    r = _run(db, b"log", b"obj-a", b"broken \xff\xfe\xff bytes")
    assert r.returncode == 0, r.stderr
    entries = {e["text"]: e for e in small("evidence", "--json").json()}
    assert "测试进度" in entries
    assert entries["from Hong Kong"]["user"] == "陳大文"
    assert any(t.startswith("broken ") for t in entries)
    r = _run(db, b"log", b"obj-a", b"x", b"--url", b"https://example.org/\xff")
    assert r.returncode == 2 and b"not a URL" in r.stderr


def test_a_file_named_in_gbk_or_big5_is_attached_under_its_chinese_name(small, tmp_path: Path) -> None:
    db = Path(os.environ["PLANTRACK_DB"])
    folder = os.fsencode(tmp_path)
    for name, codec in (("会议纪要.pdf", "gbk"), ("會議紀錄.pdf", "big5")):
        raw = folder + b"/" + name.encode(codec)
        with open(raw, "wb") as f:
            f.write(name.encode("utf-8"))
        r = _run(db, b"log", b"obj-a", name.encode(), b"--attach", raw)
        assert r.returncode == 0, r.stderr
    names = {e["attachment"]["name"] for e in small("evidence", "--json").json() if e["attachment"]}
    assert names == {"会议纪要.pdf", "會議紀錄.pdf"}
    assert small("db", "doctor").exit_code == 0


def test_from_os_leaves_ordinary_text_alone() -> None:
    assert from_os("通關 pilot") == "通關 pilot"
    assert from_os(b"\xb2\xe2\xca\xd4".decode("utf-8", "surrogateescape")) == "测试"
    assert (
        "\ufffd" in from_os(b"a\xff".decode("utf-8", "surrogateescape"))
        or from_os(b"a\xff".decode("utf-8", "surrogateescape")).isprintable()
    )


def test_a_pipe_is_refused_not_waited_on(small, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for args in (
        ("log", "--csv", fifo),
        ("plan", "check", fifo),
        ("import", fifo),
        ("site", "trust", fifo, "--name", "x"),
    ):
        r = small(*args)
        assert r.exit_code == 2 and "regular file" in r.stderr, (args, r.stderr)
