"""Private by default: the umask is honoured, evidence is kept where only its owner can read it,
a copy out never overwrites unasked, `internal` is one tag whatever its case, URLs are documents."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from plantrack import files
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
    # A backup is as private as the database it copies (0600, as plantrack made it).
    live = Path(os.environ["PLANTRACK_DB"])
    assert mode(tmp_path / "backup.db") == mode(live) == 0o600
    for p in (report, tmp_path / "b.zip", tmp_path / "c.ics"):
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


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_a_new_database_and_its_wal_are_private(cli, tmp_path: Path, umask: None, mask: int) -> None:
    os.umask(mask)
    db = tmp_path / "new.db"
    assert cli("--db", db, "log", "--help").exit_code == 0  # help opens nothing
    assert not db.exists()
    assert cli("--db", db, "db", "head").exit_code == 0
    made = [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]
    assert db in made
    for p in made:
        assert mode(p) == 0o600, (p.name, oct(mode(p)))


def test_an_existing_database_file_keeps_its_mode(cli, tmp_path: Path, umask: None) -> None:
    os.umask(0o022)
    db = tmp_path / "shared.db"
    db.touch()
    db.chmod(0o640)  # opened to a group on purpose, before plantrack set it up
    assert cli("--db", db, "db", "head").exit_code == 0
    assert mode(db) == 0o640


def test_an_existing_store_folder_is_not_chmod_ed(small, tmp_path: Path, umask: None) -> None:
    os.umask(0o022)
    store = Path(os.environ["PLANTRACK_DB"] + "-attachments")
    store.mkdir()
    store.chmod(0o750)
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF minutes")
    assert small("log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    assert mode(store) == 0o750
    assert [mode(p) for p in store.rglob("*") if p.is_file()] == [0o400]


def test_write_private_is_owner_only_and_atomic(tmp_path: Path, umask: None) -> None:
    os.umask(0o000)  # the most open umask: the modes still hold
    key = tmp_path / "new-folder" / "site.key"
    files.write_private(key, b"first")
    assert key.read_bytes() == b"first"
    assert mode(key.parent) == 0o700 and mode(key) == 0o600
    files.write_private(key, b"second")
    assert key.read_bytes() == b"second" and mode(key) == 0o600
    assert [p.name for p in key.parent.iterdir()] == ["site.key"]  # no temporary file left
    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o755)
    files.write_private(open_folder / "k", b"x")
    assert mode(open_folder) == 0o755 and mode(open_folder / "k") == 0o600


def test_create_private_leaves_what_is_there(tmp_path: Path, umask: None) -> None:
    os.umask(0o000)
    p = tmp_path / "db"
    assert files.create_private(p) and mode(p) == 0o600
    p.write_bytes(b"data")
    p.chmod(0o644)
    assert not files.create_private(p)
    assert p.read_bytes() == b"data" and mode(p) == 0o644


def test_a_link_at_out_is_not_followed(small, tmp_path: Path) -> None:
    doc = tmp_path / "minutes.pdf"
    doc.write_bytes(b"%PDF minutes")
    assert small("log", "obj-a", "minutes", "--attach", doc).exit_code == 0
    elsewhere = tmp_path / "elsewhere" / "target"
    link = tmp_path / "link.pdf"
    link.symlink_to(elsewhere)  # dangling: exists() says no, yet something is there
    r = small("attachment", "1", "--out", link)
    assert r.exit_code == 2 and "already exists" in r.stderr
    assert small("attachment", "1", "--out", link, "--force").exit_code == 0
    assert not link.is_symlink() and link.read_bytes() == b"%PDF minutes"
    assert not elsewhere.exists()


def test_an_entry_stored_with_internal_capitalised_is_still_internal(small) -> None:
    from datetime import UTC, date, datetime

    from plantrack.models import Draft, Kind
    from plantrack.store import db

    conn = db.connect(Path(os.environ["PLANTRACK_DB"]))
    try:
        with db.write(conn):  # as an older release stored it: tags as typed, hash-chained
            draft = Draft(Kind.NOTE, "obj-a", date(2026, 5, 5), text="budget", tags=("Internal",))
            ledger.append(conn, [draft], "t", datetime(2026, 5, 5, tzinfo=UTC))
        (stored,) = ledger.entries(conn)
        assert stored.tags == ("Internal",)  # kept as it was: its hash covers it
        assert ledger.is_internal(stored.tags)
        assert ledger.verify_chain(conn) == []
    finally:
        conn.close()
