"""Private by default: the umask is honoured, evidence is kept where only its owner can read it,
a copy out never overwrites unasked, `internal` is one tag whatever its case, URLs are documents."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from plantrack.store import ledger


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_files_written_for_the_user_get_what_the_umask_gives(
    small, tmp_path: Path, umask: None, mask: int
) -> None:
    os.umask(mask)
    expected = 0o666 & ~mask
    assert small("log", "obj-a", "a note").exit_code == 0
    report = tmp_path / "r.md"
    assert small("report", "--period", "2026-Q3", "--out", report).exit_code == 0
    assert small("export", "--out", tmp_path / "b.zip").exit_code == 0
    assert small("db", "backup", tmp_path / "backup.db").exit_code == 0
    assert small("calendar", "--out", tmp_path / "c.ics").exit_code == 0
    for p in (report, tmp_path / "b.zip", tmp_path / "backup.db", tmp_path / "c.ics"):
        assert mode(p) == expected, (p.name, oct(mode(p)))


def test_the_attachment_store_is_its_owners_only(small, tmp_path: Path, umask: None) -> None:
    os.umask(0o022)
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF minutes")
    assert small("log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    store = Path(os.environ["PLANTRACK_DB"] + "-attachments")
    assert mode(store) == 0o700
    stored = [p for p in store.rglob("*") if p.is_file()]
    assert len(stored) == 1 and mode(stored[0]) == 0o400
    assert small("db", "backup", tmp_path / "b.db").exit_code == 0
    assert mode(tmp_path / "b.db-attachments") == 0o700


def test_the_site_key_is_its_owners_only(small, umask: None) -> None:
    os.umask(0o000)
    assert small("site", "init", "--name", "Shenzhen").exit_code == 0
    folder = Path(os.environ["PLANTRACK_DB"] + "-site")
    assert mode(folder) == 0o700 and mode(folder / "site.key") == 0o600


def test_attachment_out_never_overwrites_without_force(small, tmp_path: Path) -> None:
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF minutes")
    assert small("log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    there = tmp_path / "there.pdf"
    there.write_bytes(b"mine, keep it")
    r = small("attachment", "1", "--out", there)
    assert r.exit_code == 2 and "already exists" in r.stderr and "--force" in r.stderr
    assert there.read_bytes() == b"mine, keep it"
    r = small("attachment", "1", "--out", there, "--force")
    assert r.exit_code == 0 and there.read_bytes() == b"%PDF minutes"
    r = small("attachment", "1", "--out", "")
    assert r.exit_code == 2


def test_a_hidden_stored_name_lands_visible_inside_the_folder(small, tmp_path: Path) -> None:
    doc = tmp_path / ".bashrc"
    doc.write_bytes(b"alias ls=rm")
    assert small("log", "obj-a", "dotfile", "--attach", doc).exit_code == 0
    out = tmp_path / "out"
    r = small("attachment", "1", "--out", f"{out}/")
    assert r.exit_code == 0
    assert [p.name for p in out.iterdir()] == ["bashrc"]


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("../../x", "x"),
        (".bashrc", "bashrc"),
        ("a/b\\c.pdf", "c.pdf"),
        ("..", "attachment-0123456789ab"),
        ("...", "attachment-0123456789ab"),
        ("C:\\Windows\\evil.exe", "evil.exe"),
        ("re\x1b[31mport\x85.pdf", "re[31mport.pdf"),
        ("", "attachment-0123456789ab"),
    ],
)
def test_stored_names_from_another_site_are_made_safe(tmp_path: Path, stored: str, written: str) -> None:
    dest = ledger.out_path(f"{tmp_path}/", stored, "0123456789ab" * 5)
    assert dest.parent == tmp_path and dest.name == written


def test_internal_is_one_tag_whatever_its_case(small) -> None:
    assert small("log", "obj-a", "budget", "--tag", "INTERNAL", "--tag", "Press").exit_code == 0
    assert small("evidence", "--json").json()[0]["tags"] == ["internal", "Press"]
    assert ledger.is_internal(("Internal",)) and ledger.is_internal(("x", "iNtErNaL"))
    assert not ledger.is_internal(("internals", "press"))


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "javascript://%0aalert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
            "vbscript://x", "JAVASCRIPT://x"],
)  # fmt: skip
def test_urls_that_are_not_documents_are_refused(small, url: str) -> None:
    r = small("log", "obj-a", "x", "--url", url)
    assert r.exit_code == 2 and "URL" in r.stderr


def test_document_urls_are_kept(small) -> None:
    for url in ("https://example.org/a", "HTTP://example.org", "ftp://files.example.org/x.pdf"):
        assert small("log", "obj-a", f"x {url}", "--url", url).exit_code == 0
