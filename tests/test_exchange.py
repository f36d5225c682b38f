"""Bundles between sites, backups, the doctor, and migrations that keep data."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import SMALL_PLAN, trust_each_other, wait_for

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def sites(cli, plan_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Two databases of the same plan with different histories: Shenzhen and Hong Kong."""
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    sz, hk = tmp_path / "sz.db", tmp_path / "hk.db"
    doc = tmp_path / "minutes.txt"
    doc.write_text("joint meeting minutes", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("internal only", encoding="utf-8")

    def site(db: Path):  # type: ignore[no-untyped-def]
        return lambda *a: cli("--db", db, *a)

    s, h = site(sz), site(hk)
    s("measure", "ind-a", "5", "--on", "2026-03-31", "--attach", doc)
    s("--user", "wong", "log", "obj-a", "通關 pilot started", "--on", "2026-04-02")
    s("retract", "1", "--reason", "scope")
    h("--user", "chan", "log", "obj-b", "HK Park lease signed", "--on", "2026-05-01")
    h("log", "obj-b", "internal budget note", "--tag", "internal", "--attach", secret)
    h("milestone", "done", "ms-a1", "--on", "2026-01-15")
    trust_each_other(cli, sz, hk)
    return s, h, tmp_path


def uids(run) -> set[str]:  # type: ignore[no-untyped-def]
    return {e["uid"] for e in run("evidence", "--json").json()}


def test_round_trip_idempotence_and_two_way_convergence(sites) -> None:
    s, h, tmp = sites
    before_s, before_h = uids(s), uids(h)
    assert s("export", "--out", tmp / "sz.zip").exit_code == 0
    assert h("export", "--out", tmp / "hk.zip").exit_code == 0
    r = h("import", tmp / "sz.zip", "--json")
    assert r.exit_code == 0 and r.json()["added"] == 3 and r.json()["already_present"] == 0
    again = h("import", tmp / "sz.zip", "--json").json()
    assert again["added"] == 0 and again["already_present"] == 3
    assert s("import", tmp / "hk.zip").exit_code == 0
    assert uids(s) == uids(h) == before_s | before_h
    # Origin site and user travel with each entry; the retraction still applies.
    hk_view = {e["uid"]: e for e in h("evidence", "--json").json()}
    sz_view = {e["uid"]: e for e in s("evidence", "--json").json()}
    for uid, e in sz_view.items():
        assert (hk_view[uid]["user"], hk_view[uid]["site"], hk_view[uid]["recorded_at"]) == (
            e["user"],
            e["site"],
            e["recorded_at"],
        )
        assert hk_view[uid]["retracted"] == e["retracted"]
    # The attachment arrived with the entry and matches its digest.
    measured = next(e for e in hk_view.values() if e["kind"] == "measurement")
    stored = Path(h("evidence", "--path", str(measured["id"])).stdout.strip())
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == measured["attachment"]["sha256"]
    assert h("db", "doctor").exit_code == 0 and s("db", "doctor").exit_code == 0


def test_known_at_counts_imported_entries_from_when_they_arrived(cli, plan_file: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A report regenerated here matches the one sent from here, imports included."""
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    sz, hk = tmp_path / "sz.db", tmp_path / "hk.db"
    monkeypatch.setenv("PLANTRACK_NOW", "2026-10-01T00:00:00Z")
    cli("--db", hk, "init")
    trust_each_other(cli, sz, hk)
    assert cli("--db", sz, "measure", "ind-a", "9", "--on", "2026-09-30").exit_code == 0
    cli("--db", sz, "export", "--out", tmp_path / "sz.zip")
    monkeypatch.setenv("PLANTRACK_NOW", "2026-10-20T00:00:00Z")  # it reaches Hong Kong later
    assert cli("--db", hk, "import", tmp_path / "sz.zip").exit_code == 0

    def value(*extra: str) -> object:
        status = cli("--db", hk, "status", "--json", "--as-of", "2026-09-30", *extra).json()
        return next(o for o in status["objectives"] if o["id"] == "obj-a")["indicators"][0]["value"]

    assert value("--known-at", "2026-10-10T00:00Z") == 0  # recorded in Shenzhen by then, not yet known here
    assert value("--known-at", "2026-10-21T00:00Z") == 9
    assert value() == 9
    entry = cli("--db", hk, "evidence", "--json").json()[0]
    assert entry["recorded_at"].startswith("2026-10-01") and entry["received_at"].startswith("2026-10-20")


def test_public_export_leaves_out_internal_entries_and_their_files(sites) -> None:
    s, h, tmp = sites
    assert h("export", "--public", "--out", tmp / "pub.zip").exit_code == 0
    with zipfile.ZipFile(tmp / "pub.zip") as z:
        lines = [json.loads(x) for x in z.read("entries.jsonl").decode().splitlines()]
        names = z.namelist()
    assert all("internal" not in e["tags"] for e in lines) and len(lines) == 2
    assert not [n for n in names if n.startswith("attachments/")]
    assert s("import", tmp / "pub.zip").exit_code == 0


def test_export_by_objective_and_since(sites, monkeypatch: pytest.MonkeyPatch) -> None:
    s, h, tmp = sites
    r = s("export", "--objective", "obj-a", "--out", tmp / "a.zip", "--json").json()
    assert r["entries"] == 3  # the measurement, the note and the retraction of the measurement
    r = s("export", "--since", "2030-01-01", "--out", tmp / "none.zip", "--json").json()
    assert r["entries"] == 0


def _rewrite(src: Path, dst: Path, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as z:
        data = {n: z.read(n) for n in z.namelist()}
    change(data)
    with zipfile.ZipFile(dst, "w") as z:
        for n, b in data.items():
            z.writestr(n, b)


def _fix_manifest(data: dict[str, bytes], name: str) -> None:
    m = json.loads(data["manifest.json"])
    m["members"][name] = hashlib.sha256(data[name]).hexdigest()
    data["manifest.json"] = json.dumps(m).encode()


def _edit_entry(data: dict[str, bytes]) -> None:
    lines = data["entries.jsonl"].decode().splitlines()
    e = json.loads(lines[0])
    e["value"] = 500
    lines[0] = json.dumps(e)
    data["entries.jsonl"] = ("\n".join(lines) + "\n").encode()
    _fix_manifest(data, "entries.jsonl")


def _drop_middle_entry(data: dict[str, bytes]) -> None:
    lines = data["entries.jsonl"].decode().splitlines()
    del lines[1]
    data["entries.jsonl"] = ("\n".join(lines) + "\n").encode()
    _fix_manifest(data, "entries.jsonl")
    m = json.loads(data["manifest.json"])
    m["counts"]["entries"] -= 1
    data["manifest.json"] = json.dumps(m).encode()


def _edit_attachment(data: dict[str, bytes]) -> None:
    name = next(n for n in data if n.startswith("attachments/"))
    data[name] = b"swapped file"


def _other_plan(data: dict[str, bytes]) -> None:
    m = json.loads(data["manifest.json"])
    m["plan"]["id"] = "another-plan"
    data["manifest.json"] = json.dumps(m).encode()


def _traversal(data: dict[str, bytes]) -> None:
    data["../../escape.txt"] = b"x"


def _absolute(data: dict[str, bytes]) -> None:
    data["/tmp/plantrack-absolute.txt"] = b"x"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # Any change to the signed manifest breaks its signature (test_sites.py goes further:
        # bundles edited and signed again).
        (_edit_entry, "does not match: it was altered"),
        (_drop_middle_entry, "does not match: it was altered"),
        (_edit_attachment, "has changed"),
        (_other_plan, "does not match: it was altered"),
        (_traversal, "outside the bundle's folder"),
        (_absolute, "outside the bundle's folder"),
    ],
)
def test_tampered_bundles_are_refused_with_nothing_written(sites, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    s, h, tmp = sites
    s("export", "--out", tmp / "sz.zip")
    _rewrite(tmp / "sz.zip", tmp / "bad.zip", change)
    before = uids(h)
    store = tmp / "hk.db-attachments"
    files_before = sorted(p.name for p in store.rglob("*"))
    r = h("import", tmp / "bad.zip")
    assert r.exit_code == 2
    assert expected in r.stderr and "nothing was written" in r.stderr
    assert uids(h) == before
    assert sorted(p.name for p in store.rglob("*")) == files_before
    assert not (tmp.parent / "escape.txt").exists() and not Path("/tmp/plantrack-absolute.txt").exists()


def test_a_link_member_is_refused(sites) -> None:
    s, h, tmp = sites
    s("export", "--out", tmp / "sz.zip")
    with zipfile.ZipFile(tmp / "sz.zip") as z:
        data = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(tmp / "link.zip", "w") as z:
        for n, b in data.items():
            z.writestr(n, b)
        info = zipfile.ZipInfo("attachments/" + "0" * 64)
        info.external_attr = 0o120777 << 16
        z.writestr(info, "/etc/passwd")
    r = h("import", tmp / "link.zip")
    assert r.exit_code == 2 and "link" in r.stderr


def test_not_a_bundle(sites) -> None:
    _s, h, tmp = sites
    (tmp / "junk.zip").write_bytes(b"not a zip")
    assert h("import", tmp / "junk.zip").exit_code == 2
    assert h("import", tmp / "missing.zip").exit_code == 2


def _entries(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM entry").fetchone()[0])
    finally:
        conn.close()


def test_backup_while_another_process_writes(sites) -> None:
    s, _h, tmp = sites
    db = tmp / "sz.db"
    stop = tmp / "stop-writing"
    env = dict(os.environ, PLANTRACK_DB=str(db))
    # The writer logs notes until told to stop, so it is writing before, during and after the backup.
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import pathlib,subprocess,sys\n"
         "stop = pathlib.Path(sys.argv[1])\n"
         "for i in range(2000):\n"
         "    if stop.exists(): break\n"
         "    subprocess.run([sys.executable,'-m','plantrack','log','obj-a',f'note {i}'],check=True,capture_output=True)\n",
         str(stop)],
        env=env,
    )  # fmt: skip
    before = _entries(db)
    wait_for("the writer's first notes", lambda: _entries(db) >= before + 2, [writer])
    r = s("db", "backup", tmp / "backup" / "sz.db")
    assert r.exit_code == 0, r.stderr
    backup = tmp / "backup" / "sz.db"
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n_backup = conn.execute("SELECT count(*) FROM entry").fetchone()[0]
    conn.close()
    wait_for("a note written after the backup", lambda: _entries(db) > n_backup, [writer])
    stop.write_text("stop", encoding="utf-8")
    writer.wait(timeout=300)
    assert writer.returncode == 0
    # A consistent snapshot from the middle of the writes: some of the notes, not all of them.
    assert before + 2 <= n_backup < _entries(db)
    restored = tmp / "restored.db"
    assert s("--db", restored, "db", "restore", backup).exit_code == 0
    assert s("--db", restored, "db", "doctor").exit_code == 0
    assert len(s("--db", restored, "evidence", "--json").json()) == n_backup


def test_restore_refuses_a_damaged_backup_and_keeps_the_replaced_database(sites) -> None:
    s, _h, tmp = sites
    s("db", "backup", tmp / "b.db")
    conn = sqlite3.connect(tmp / "b.db")
    conn.execute("DROP TRIGGER entry_append_only_update")
    conn.execute("UPDATE entry SET text = 'forged' WHERE id = 2")
    conn.commit()
    conn.close()
    r = s("db", "restore", tmp / "b.db")
    assert r.exit_code == 2 and "cannot be restored" in r.stderr
    s("db", "backup", tmp / "good.db")
    s("log", "obj-a", "after the backup")
    r = s("db", "restore", tmp / "good.db")
    assert r.exit_code == 0
    kept = [p for p in tmp.iterdir() if p.name.startswith("sz.db.before-restore-")]
    assert len(kept) == 1
    assert "after the backup" not in [e["text"] for e in s("evidence", "--json").json()]


def test_doctor_finds_a_changed_entry_a_changed_attachment_and_orphans(sites) -> None:
    s, _h, tmp = sites
    assert s("db", "doctor").exit_code == 0
    db = tmp / "sz.db"
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER entry_append_only_update")
    conn.execute("UPDATE entry SET value = 50 WHERE id = 1")
    conn.commit()
    conn.close()
    store = tmp / "sz.db-attachments"
    stored = next(p for p in store.rglob("*") if p.is_file())
    stored.chmod(0o644)
    stored.write_text("changed", encoding="utf-8")
    (store / "ab").mkdir(exist_ok=True)
    (store / "ab" / ("ab" * 32)).write_text("stray", encoding="utf-8")
    r = s("db", "doctor", "--json")
    assert r.exit_code == 1
    problems = "\n".join(r.json()["problems"])
    assert "entry 1" in problems and "does not match its hash" in problems
    assert "has changed" in problems
    # A file no entry refers to was left by a command killed before it committed: the doctor
    # removes it (under the write lock, so no command in progress loses one) and says so.
    assert any("left by an interrupted command" in line for line in r.json()["ok"])
    assert not (store / "ab" / ("ab" * 32)).exists()


def test_the_first_released_schema_upgrades_with_every_entry_intact(cli, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema-v1.db", db)
    expected = json.loads((FIXTURES / "schema-v1.json").read_text(encoding="utf-8"))
    r = cli("--db", db, "evidence", "--json")
    assert r.exit_code == 0, r.stderr
    got = [{k: e[k] for k in expected[0]} for e in r.json()]
    assert got == expected
    assert cli("--db", db, "db", "doctor").exit_code == 0
    from plantrack.store import migrations

    conn = sqlite3.connect(db)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == [name for name, _ in migrations.MIGRATIONS]
    assert cli("--db", db, "search", "通關", "--json").json()["entries"][0]["target"] == "obj-b"
    assert cli("--db", db, "status", "--json").json()["plan"]["id"] == "test-plan"
    assert SMALL_PLAN  # the fixture was made from the test plan
