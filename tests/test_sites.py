"""Sites with keys, signed bundles, imports checked like local writes, partners' heads.

Crafted bundles are made as an attacker (or a broken partner) would make them: entries edited,
the whole chain and manifest recomputed, and the manifest signed again with whatever key the
attacker holds. Every refusal exits 2 and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plantrack.sites import keys
from plantrack.store import ledger

from .conftest import Result, reached, trust_each_other, wait_for
from .test_anchor import rechain_after_editing

Data = dict[str, bytes]


@pytest.fixture
def two(cli, plan_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Shenzhen and Hong Kong, each with its key, trusting each other; Shenzhen has four entries."""
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    sz, hk = tmp_path / "sz.db", tmp_path / "hk.db"
    assert cli("--db", sz, "site", "init", "--name", "Shenzhen Park office").exit_code == 0
    assert cli("--db", hk, "site", "init", "--name", "香港園區辦公室").exit_code == 0
    trust_each_other(cli, sz, hk)
    doc = tmp_path / "minutes.txt"
    doc.write_text("joint meeting minutes", encoding="utf-8")
    s = lambda *a: cli("--db", sz, *a)  # noqa: E731
    h = lambda *a: cli("--db", hk, *a)  # noqa: E731
    assert s("measure", "ind-a", "5", "--on", "2026-03-31", "--attach", doc).exit_code == 0
    assert s("--user", "wong", "log", "obj-a", "通關 pilot started", "--on", "2026-04-02").exit_code == 0
    assert (
        s("milestone", "done", "ms-a2", "--on", "2026-05-02", "--url", "https://example.org/reg").exit_code
        == 0
    )
    assert s("log", "obj-b", "the last note", "--on", "2026-05-03").exit_code == 0
    assert h("--user", "chan", "log", "obj-b", "HK Park lease signed", "--on", "2026-05-01").exit_code == 0
    return s, h, tmp_path


def uids(run: Callable[..., Result]) -> set[str]:
    return {e["uid"] for e in run("evidence", "--json").json()}


def store_files(db: Path) -> list[str]:
    store = db.with_name(db.name + "-attachments")
    return sorted(p.name for p in store.rglob("*")) if store.exists() else []


def unpack(path: Path) -> Data:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def pack(data: Data, path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for n, b in data.items():
            z.writestr(n, b)
    return path


def lines_of(data: Data) -> list[dict[str, Any]]:
    return [json.loads(x) for x in data["entries.jsonl"].decode().splitlines() if x.strip()]


def rechain(data: Data, lines: list[dict[str, Any]], raw: list[str] | None = None) -> None:
    """Put ``lines`` in the bundle with a whole new chain, as someone who edits entries does."""
    prev = ledger.GENESIS
    chain = b""
    out = []
    for n, line in enumerate(lines, start=1):
        content = {k: v for k, v in line.items() if k not in ("prev_hash", "hash", "position")}
        h = hashlib.sha256((prev + ledger.canonical(content)).encode()).hexdigest()
        line = {**content, "prev_hash": prev, "hash": h, "position": n}
        out.append(json.dumps(line, ensure_ascii=False, sort_keys=True))
        chain += bytes.fromhex(h)
        prev = h
    data["entries.jsonl"] = ("\n".join(raw if raw is not None else out) + "\n").encode()
    data["chain.bin"] = chain
    m = json.loads(data["manifest.json"])
    m["head"] = {"hash": chain[-32:].hex() if chain else None, "position": len(chain) // 32}
    m["counts"]["entries"] = len(lines)
    m["range"] = {"first": 1, "last": len(lines)} if lines else None
    data["manifest.json"] = json.dumps(m).encode()


def resign(data: Data, db: Path) -> None:
    """Recompute the manifest's members and sign it with the secret key of the site at ``db``."""
    m = json.loads(data["manifest.json"])
    m["members"] = {
        n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
        for n, b in data.items()
        if n not in ("manifest.json", "manifest.json.minisig")
    }
    conn = sqlite3.connect(db)
    key_id = conn.execute("SELECT key_id FROM site_key WHERE own = 1 AND revoked_at IS NULL").fetchone()[0]
    conn.close()
    data["manifest.json"] = json.dumps(m, sort_keys=True).encode()
    data["manifest.json.minisig"] = keys.sign(
        keys.load_secret(db, key_id), data["manifest.json"], "crafted"
    ).encode()


def refused(h: Callable[..., Result], bundle: Path, hk_db: Path, expected: str, *extra: str) -> Result:
    before, files_before = uids(h), store_files(hk_db)
    r = h("import", bundle, *extra)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "bundle refused" in r.stderr and expected in r.stderr, r.stderr
    assert "nothing was written" in r.stderr
    assert uids(h) == before and store_files(hk_db) == files_before
    assert not [p for p in hk_db.parent.iterdir() if p.name.startswith(".incoming")]
    assert h("db", "doctor").exit_code == 0
    return r


# --- keys and the trust list -------------------------------------------------------------------


def test_a_site_key_is_private_and_its_fingerprint_binds_the_site(two) -> None:
    s, h, tmp = two
    folder = tmp / "sz.db-site"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / "site.key").stat().st_mode & 0o777) == "0o600"
    shown = s("site", "show", "--json").json()
    assert shown["name"] == "Shenzhen Park office" and len(shown["fingerprint"].split()) == 8
    # The Hong Kong office trusts the key it was read over the phone ...
    listed = {k["name"]: k for k in h("site", "list", "--json").json()}
    assert listed["sz"]["fingerprint"] == shown["fingerprint"] and listed["sz"]["site"] == shown["site"]
    # ... and a public key file edited to claim another site shows another fingerprint.
    pub = (tmp / "sz.db.pub").read_text(encoding="utf-8")
    forged = tmp / "forged.pub"
    forged.write_text(pub.replace(shown["site"], "aaaaaaaaaaaa"), encoding="utf-8")
    r = h("site", "trust", forged, "--name", "fake", "--fingerprint", shown["fingerprint"])
    assert r.exit_code == 2 and "not trusted" in r.stderr


def test_trusting_ones_own_key_or_a_wrong_fingerprint_is_refused(two) -> None:
    s, _h, tmp = two
    r = s("site", "trust", tmp / "sz.db.pub", "--name", "me")
    assert r.exit_code == 2 and "own key" in r.stderr
    r = s("site", "trust", tmp / "hk.db.pub", "--name", "hk", "--fingerprint", "0000 0000")
    assert r.exit_code == 2 and "not trusted" in r.stderr
    (tmp / "junk.pub").write_text("hello\n", encoding="utf-8")
    r = s("site", "trust", tmp / "junk.pub", "--name", "x")
    assert r.exit_code == 2 and "public key file" in r.stderr


def test_a_database_from_before_sites_gets_a_key_on_first_use(cli, plan_file: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan_file))
    db = tmp_path / "old.db"
    assert cli("--db", db, "log", "obj-a", "before sites").exit_code == 0
    assert not (tmp_path / "old.db-site").exists()
    r = cli("--db", db, "export", "--out", tmp_path / "b.zip")
    assert r.exit_code == 0 and "first use" in r.stderr
    assert (tmp_path / "old.db-site" / "site.key").exists()
    assert cli("--db", db, "site", "show", "--json").json()["name"].startswith("site ")


def test_minisign_can_check_a_bundle_signature(two) -> None:
    import shutil

    if shutil.which("minisign") is None:
        pytest.skip("the standalone minisign tool is not installed")
    s, _h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    out = tmp / "unzipped"
    out.mkdir()
    (out / "manifest.json").write_bytes(unpack(tmp / "sz.zip")["manifest.json"])
    (out / "manifest.json.minisig").write_bytes(unpack(tmp / "sz.zip")["manifest.json.minisig"])
    ok = subprocess.run(
        ["minisign", "-Vm", out / "manifest.json", "-p", tmp / "sz.db.pub"], capture_output=True
    )
    assert ok.returncode == 0, ok.stderr
    (out / "manifest.json").write_bytes(b"{}")
    bad = subprocess.run(
        ["minisign", "-Vm", out / "manifest.json", "-p", tmp / "sz.db.pub"], capture_output=True
    )
    assert bad.returncode != 0


# --- exchange -----------------------------------------------------------------------------------


def test_two_sites_exchange_both_ways_with_signatures_verified(two) -> None:
    s, h, tmp = two
    assert s("export", "--out", tmp / "sz.zip").exit_code == 0
    r = h("import", tmp / "sz.zip", "--json")
    assert r.exit_code == 0 and r.json()["verified"] and r.json()["added"] == 4
    assert h("export", "--out", tmp / "hk.zip").exit_code == 0
    assert s("import", tmp / "hk.zip", "--json").json()["added"] == 1
    assert uids(s) == uids(h)
    sz_key = s("site", "show", "--json").json()["key_id"]
    imported = [
        e for e in h("evidence", "--json").json() if e["site"] != h("site", "show", "--json").json()["site"]
    ]
    assert len(imported) == 4 and all(e["signed_by"] == sz_key and e["verified"] for e in imported)
    # Hong Kong's export carries its own entry only: Shenzhen's travel in Shenzhen's bundles.
    r = h("export", "--out", tmp / "hk2.zip", "--json").json()
    assert r["entries"] == 1 and r["left_out"] == 4
    # Hong Kong now knows Shenzhen's head.
    listed = {k["name"]: k for k in h("site", "list", "--json").json()}
    assert listed["sz"]["last_head"]["entries"] == 4


def test_an_unsigned_bundle_is_refused_unless_allowed_and_then_marked_unverified(two, cli) -> None:  # type: ignore[no-untyped-def]
    s, _h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    data = unpack(tmp / "sz.zip")
    del data["manifest.json.minisig"]
    bundle = pack(data, tmp / "unsigned.zip")
    # A site that trusts no one yet (Hong Kong would refuse it: it holds Shenzhen's key).
    other = tmp / "other.db"
    assert cli("--db", other, "init").exit_code == 0
    h = lambda *a: cli("--db", other, *a)  # noqa: E731
    refused(h, bundle, other, "not signed")
    r = h("import", bundle, "--allow-unsigned")
    assert r.exit_code == 0 and "UNVERIFIED" in r.stderr
    shown = [e for e in h("evidence", "--json").json() if e["user"] == "wong"]
    assert shown and shown[0]["verified"] is False and shown[0]["signed_by"] == "unverified"
    assert "unverified" in h("evidence", "obj-a").stdout
    for fmt in ("md", "html"):
        report = h("report", "--period", "2026-Q2", "--format", fmt, "--as-of", "2026-06-30").stdout
        assert "通關 pilot started" in report and "unverified: no trusted site signed it" in report, fmt


def test_a_bundle_signed_by_an_unknown_or_revoked_key_is_refused(two, cli) -> None:  # type: ignore[no-untyped-def]
    s, h, tmp = two
    evil = tmp / "evil.db"
    assert cli("--db", evil, "site", "init", "--name", "Mallory").exit_code == 0
    assert cli("--db", evil, "log", "obj-a", "I am Shenzhen").exit_code == 0
    assert cli("--db", evil, "export", "--out", tmp / "evil.zip").exit_code == 0
    refused(h, tmp / "evil.zip", tmp / "hk.db", "does not trust")
    s("export", "--out", tmp / "sz.zip")
    assert h("site", "revoke", "sz", "--reason", "laptop lost").exit_code == 0
    refused(h, tmp / "sz.zip", tmp / "hk.db", "revoked")


def test_a_forged_and_rechained_bundle_is_refused(two, cli) -> None:  # type: ignore[no-untyped-def]
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    data = unpack(tmp / "sz.zip")
    lines = lines_of(data)
    lines[0]["value"] = 500.0  # the measurement, edited; every hash after it recomputed
    rechain(data, lines)
    m = json.loads(data["manifest.json"])
    m["members"] = {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                    for n, b in data.items() if n not in ("manifest.json", "manifest.json.minisig")}  # fmt: skip
    data["manifest.json"] = json.dumps(m).encode()
    refused(h, pack(data, tmp / "forged.zip"), tmp / "hk.db", "does not match: it was altered")
    # Signed again with a key the attacker has: not one Hong Kong trusts.
    evil = tmp / "evil.db"
    cli("--db", evil, "site", "init", "--name", "Mallory")
    resign(data, evil)
    refused(h, pack(data, tmp / "forged2.zip"), tmp / "hk.db", "does not trust")


def test_entries_claiming_the_importing_site_or_a_third_site_are_refused(two) -> None:
    s, h, tmp = two
    hk_site = h("site", "show", "--json").json()["site"]
    s("export", "--out", tmp / "sz.zip")
    data = unpack(tmp / "sz.zip")
    lines = lines_of(data)
    # "Retract Hong Kong's own measurement, as a Hong Kong user": signed with Shenzhen's real key.
    lines[1]["site"], lines[1]["user"] = hk_site, "chan"
    rechain(data, lines)
    resign(data, tmp / "sz.db")
    refused(h, pack(data, tmp / "own.zip"), tmp / "hk.db", "claims to be from this site")
    lines[1]["site"] = "cccccccccccc"
    rechain(data, lines)
    resign(data, tmp / "sz.db")
    refused(h, pack(data, tmp / "third.zip"), tmp / "hk.db", "claims site 'cccccccccccc'")


def _edit(field: str, value: Any, index: int = 1) -> Callable[[list[dict[str, Any]]], None]:
    def change(lines: list[dict[str, Any]]) -> None:
        lines[index][field] = value

    return change


def _measure_a_milestone(lines: list[dict[str, Any]]) -> None:
    lines[0]["target"] = "ms-a1"


def _done_without_url(lines: list[dict[str, Any]]) -> None:
    lines[2]["url"] = None
    lines[2]["on"] = "2019-01-01"


def _retract_a_retraction(lines: list[dict[str, Any]]) -> None:
    first = dict(lines[1], kind="retraction", text="wrong", retracts=lines[0]["uid"], uid="1" * 32,
                 target=lines[0]["target"])  # fmt: skip
    second = dict(first, uid="2" * 32, retracts="1" * 32)
    lines.extend([first, second])


def _duplicate_uid(lines: list[dict[str, Any]]) -> None:
    lines.append(dict(lines[1], text="another text, same uid"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_measure_a_milestone, "cannot be about a milestone"),
        (_done_without_url, "without the evidence its plan requires"),
        (_retract_a_retraction, "withdraws a retraction"),
        (_duplicate_uid, "repeats a uid"),
        (_edit("text", "a\x00b"), "NUL"),
        (_edit("text", "x" * 2_000_001), "characters long"),
        (_edit("url", "javascript:alert(1)"), "not a URL"),
        (_edit("user", ""), "user name"),
        (_edit("user", "x\x1b[31m"), "user name"),
        (_edit("recorded_at", "2099-01-01T00:00:00Z"), "in the future"),
        (_edit("recorded_at", "2026-02-30T00:00:00Z"), "not a real instant"),
        (_edit("text", {"an": "object"}), "is not text"),
        (_edit("tags", ["<b>", "ok"]), "not a valid tag"),
        (_edit("value", 3.5), "only a measurement carries a value"),
        (_edit("kind", "gossip"), "kind 'gossip' is not one of note"),
        (_edit("extra", 1), "unknown fields"),
    ],
)
def test_a_signed_bundle_with_an_entry_a_local_write_would_refuse_is_refused(
    two, change, expected: str
) -> None:  # type: ignore[no-untyped-def]
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    data = unpack(tmp / "sz.zip")
    lines = lines_of(data)
    change(lines)
    rechain(data, lines)
    resign(data, tmp / "sz.db")  # Shenzhen's real key: a broken exporter, or a stolen key
    refused(h, pack(data, tmp / "bad.zip"), tmp / "hk.db", expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"value": NaN', "not valid JSON"),
        ('"value": Infinity', "not valid JSON"),
        ('"value": -Infinity', "not valid JSON"),
        ('"value": 1e400', "not valid JSON"),
        ('"value": 1' + "0" * 400, "too large"),
        ('"text": "\\ud800", "value": 5.0', "not valid Unicode"),
    ],
)
def test_numbers_json_cannot_hold_are_refused(two, raw: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    data = unpack(tmp / "sz.zip")
    lines = lines_of(data)
    rechain(data, lines)
    text = data["entries.jsonl"].decode().splitlines()
    assert '"value": 5.0' in text[0] or '"value": 5' in text[0]
    text[0] = text[0].replace('"value": 5.0', raw).replace('"value": 5,', raw + ",")
    data["entries.jsonl"] = ("\n".join(text) + "\n").encode()
    resign(data, tmp / "sz.db")
    refused(h, pack(data, tmp / "nan.zip"), tmp / "hk.db", expected)


def test_deeply_nested_json_is_refused_not_crashed(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    data = unpack(tmp / "sz.zip")
    data["entries.jsonl"] = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    resign(data, tmp / "sz.db")
    refused(h, pack(data, tmp / "deep.zip"), tmp / "hk.db", "nested too deeply")
    data["manifest.json"] = ("[" * 100_000 + "]" * 100_000).encode()
    resign_raw = keys.sign(keys.load_secret(tmp / "sz.db", m_key(tmp / "sz.db")), data["manifest.json"], "x")
    data["manifest.json.minisig"] = resign_raw.encode()
    refused(h, pack(data, tmp / "deep2.zip"), tmp / "hk.db", "nested too deeply")


def m_key(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT key_id FROM site_key WHERE own = 1").fetchone()[0])
    finally:
        conn.close()


def test_members_are_capped_by_size_not_by_ratio(two, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    refused(h, tmp / "sz.zip", tmp / "hk.db", "more than the 1,024 allowed", "--max-size", "1K")
    # A member bigger than its signed size is cut off as it streams, not read whole.
    data = unpack(tmp / "sz.zip")
    name = next(n for n in data if n.startswith("attachments/"))
    resign(data, tmp / "sz.db")
    data[name] = data[name] + b"\0" * (8 * 2**20)  # compresses to almost nothing
    refused(h, pack(data, tmp / "big.zip"), tmp / "hk.db", "larger than its manifest says")
    # A 5 MB blank scan is a legitimate attachment, whatever its compression ratio.
    scan = tmp / "blank-scan.pdf"
    scan.write_bytes(b"\0" * (5 * 2**20))
    assert s("log", "obj-a", "scanned minutes", "--attach", scan).exit_code == 0
    s("export", "--out", tmp / "scan.zip")
    assert h("import", tmp / "scan.zip").exit_code == 0


def test_a_uid_already_here_with_other_content_is_a_conflict(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    assert h("import", tmp / "sz.zip").exit_code == 0
    data = unpack(tmp / "sz.zip")
    lines = lines_of(data)
    lines[1]["text"] = "a different story"
    rechain(data, lines)
    resign(data, tmp / "sz.db")
    h("site", "trust", tmp / "sz.db.pub", "--name", "sz", "--reset-head")  # past the head check
    refused(h, pack(data, tmp / "conflict.zip"), tmp / "hk.db", "with different content")


def test_a_partners_rewritten_or_shortened_history_is_refused(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz1.zip")
    assert h("import", tmp / "sz1.zip").exit_code == 0
    # Someone with Shenzhen's file rewrites an entry and re-chains everything after it.
    rechain_after_editing(tmp / "sz.db", 2, "rewritten")
    assert s("log", "obj-a", "business as usual").exit_code == 0
    s("export", "--out", tmp / "sz2.zip")
    refused(h, tmp / "sz2.zip", tmp / "hk.db", "no longer passes through the head")


def test_a_partners_shortened_history_is_refused(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz1.zip")
    assert h("import", tmp / "sz1.zip").exit_code == 0
    conn = sqlite3.connect(tmp / "sz.db")
    conn.execute("DROP TRIGGER entry_append_only_delete")
    conn.execute("DELETE FROM entry WHERE id = (SELECT max(id) FROM entry)")
    conn.commit()
    conn.close()
    s("export", "--out", tmp / "sz2.zip")
    refused(h, tmp / "sz2.zip", tmp / "hk.db", "or their history was cut short")


def test_public_export_leaves_out_internal_in_any_case(two) -> None:
    s, h, tmp = two
    assert s("log", "obj-a", "budget, capitalised", "--tag", "Internal").exit_code == 0
    from plantrack.models import Draft, Kind
    from plantrack.store import db as store_db

    conn = store_db.connect(tmp / "sz.db")
    with store_db.write(conn):  # written before tags were normalised: kept as it was typed
        ledger.append(conn, [Draft(Kind.NOTE, "obj-a", __import__("datetime").date(2026, 5, 5),
                                   text="budget, shouted", tags=("INTERNAL",))], "t",
                      __import__("datetime").datetime(2026, 5, 5, tzinfo=__import__("datetime").timezone.utc))  # fmt: skip
    conn.close()
    assert s("export", "--public", "--out", tmp / "pub.zip").exit_code == 0
    texts = [line["text"] for line in lines_of(unpack(tmp / "pub.zip"))]
    assert "budget, capitalised" not in texts and "budget, shouted" not in texts
    assert "the last note" in texts


def test_two_imports_of_one_bundle_at_once_both_succeed_and_add_once(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    marks, release = tmp / "marks", tmp / "release"
    env = dict(os.environ, PLANTRACK_DB=str(tmp / "hk.db"))
    held = subprocess.Popen(
        [sys.executable, "-m", "plantrack", "import", str(tmp / "sz.zip"), "--json"],
        env=dict(env, PLANTRACK_TEST_HOLD="import-verified", PLANTRACK_TEST_MARKS=str(marks),
                 PLANTRACK_TEST_RELEASE=str(release)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_for("the first import has verified the bundle", reached(marks, "import-verified"), [held])
    other = subprocess.run(
        [sys.executable, "-m", "plantrack", "import", str(tmp / "sz.zip"), "--json"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert other.returncode == 0, other.stderr
    release.write_text("go", encoding="utf-8")
    out, err = held.communicate(timeout=600)
    assert held.returncode == 0, err
    added = sorted([json.loads(other.stdout)["added"], json.loads(out)["added"]])
    assert added == [0, 4]
    assert len(uids(h)) == 5 and h("db", "doctor").exit_code == 0


def test_entries_imported_before_signatures_are_marked_unverified_by_the_upgrade(tmp_path: Path) -> None:
    """m008 on a database that already holds another site's entries: they were never signed."""
    from datetime import date

    from plantrack.models import Entry, Kind
    from plantrack.store import db as store_db
    from plantrack.store import migrations

    path = tmp_path / "old.db"
    conn = store_db.connect(path)
    with store_db.write(conn):
        ledger.append_verbatim(conn, [Entry(0, "a" * 32, Kind.NOTE, "x", date(2026, 1, 1),
                                            "2026-01-01T00:00:00Z", "chan", "partner00001", text="from a partner")],
                               "2026-01-02T00:00:00Z")  # fmt: skip
        ledger.append(conn, [__import__("plantrack.models", fromlist=["Draft"]).Draft(
            Kind.NOTE, "x", date(2026, 1, 3), text="written here")], "me",
            __import__("datetime").datetime(2026, 1, 3, tzinfo=__import__("datetime").timezone.utc))  # fmt: skip
    # Back to the schema before m008.
    for statement in ("DROP TABLE entry_signer", "DROP TABLE site_key", "DROP TABLE partner_head",
                      "DELETE FROM _sqlite_migrations WHERE name = 'm008_sites'"):  # fmt: skip
        conn.execute(statement)
    conn.close()
    conn = store_db.connect(path)
    assert migrations.pending_names(conn) == []
    by_text = {e.text: e for e in ledger.entries(conn)}
    assert by_text["from a partner"].signed_by == "unverified"
    assert by_text["written here"].signed_by is None


def test_a_partner_that_restored_an_older_backup_on_purpose_can_be_accepted_again(two) -> None:
    s, h, tmp = two
    s("db", "backup", tmp / "sz-backup.db")
    assert s("log", "obj-a", "after the backup").exit_code == 0
    s("export", "--out", tmp / "sz1.zip")
    assert h("import", tmp / "sz1.zip").exit_code == 0
    assert s("db", "restore", tmp / "sz-backup.db").exit_code == 0
    s("export", "--out", tmp / "sz2.zip")
    r = refused(h, tmp / "sz2.zip", tmp / "hk.db", "or their history was cut short")
    assert "--reset-head" in r.stderr
    assert h("site", "trust", tmp / "sz.db.pub", "--name", "sz", "--reset-head").exit_code == 0
    assert h("import", tmp / "sz2.zip").exit_code == 0


def test_a_corrupted_compressed_member_is_refused_without_any_key(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    raw = bytearray((tmp / "sz.zip").read_bytes())
    import zipfile as zf

    with zf.ZipFile(tmp / "sz.zip") as z:
        info = z.getinfo("plan.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 30):  # the compressed bytes, which no signature covers
        raw[i] ^= 0xFF
    (tmp / "bad.zip").write_bytes(bytes(raw))
    refused(h, tmp / "bad.zip", tmp / "hk.db", "cannot be read")


def test_an_impossible_or_wrong_attachment_size_is_refused(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    assert h("import", tmp / "sz.zip").exit_code == 0  # the file is here now
    data = unpack(tmp / "sz.zip")
    lines = lines_of(data)
    lines[0]["attachment"]["size"] = 2**63
    lines[0]["uid"] = "e" * 32
    rechain(data, lines)
    resign(data, tmp / "sz.db")
    h("site", "trust", tmp / "sz.db.pub", "--name", "sz", "--reset-head")
    refused(h, pack(data, tmp / "huge.zip"), tmp / "hk.db", "size")
    lines[0]["attachment"]["size"] = 123456
    rechain(data, lines)
    del data[next(n for n in data if n.startswith("attachments/"))]
    resign(data, tmp / "sz.db")
    refused(h, pack(data, tmp / "wrong.zip"), tmp / "hk.db", "states a size its file here does not have")


def test_allow_unsigned_does_not_cover_an_altered_bundle_of_a_trusted_site(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "sz.zip")
    data = unpack(tmp / "sz.zip")
    lines = lines_of(data)
    lines[1]["user"], lines[1]["text"] = "boss", "all done"
    rechain(data, lines)
    m = json.loads(data["manifest.json"])
    m["members"] = {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                    for n, b in data.items() if n not in ("manifest.json", "manifest.json.minisig")}  # fmt: skip
    data["manifest.json"] = json.dumps(m).encode()
    refused(h, pack(data, tmp / "altered.zip"), tmp / "hk.db", "does not match", "--allow-unsigned")
    del data["manifest.json.minisig"]
    refused(h, pack(data, tmp / "stripped.zip"), tmp / "hk.db", "signs its bundles", "--allow-unsigned")
    assert h("import", tmp / "sz.zip").exit_code == 0  # the genuine one still goes in


def test_a_forked_history_verified_while_the_genuine_one_arrives_is_refused(two) -> None:
    s, h, tmp = two
    s("export", "--out", tmp / "genuine.zip")
    data = unpack(tmp / "genuine.zip")
    lines = lines_of(data)
    lines[1]["text"] = "a different past"
    rechain(data, lines)
    resign(data, tmp / "sz.db")  # with Shenzhen's key: a stolen key, or a rewritten database
    forked = pack(data, tmp / "forked.zip")
    marks, release = tmp / "marks", tmp / "release"
    env = dict(os.environ, PLANTRACK_DB=str(tmp / "hk.db"))
    held = subprocess.Popen(
        [sys.executable, "-m", "plantrack", "import", str(forked)],
        env=dict(env, PLANTRACK_TEST_HOLD="import-verified", PLANTRACK_TEST_MARKS=str(marks),
                 PLANTRACK_TEST_RELEASE=str(release)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_for("the forked bundle has passed its first checks", reached(marks, "import-verified"), [held])
    assert h("import", tmp / "genuine.zip").exit_code == 0
    release.write_text("go", encoding="utf-8")
    _out, err = held.communicate(timeout=600)
    assert held.returncode == 2 and "no longer passes through the head" in err
    assert "a different past" not in {e["text"] for e in h("evidence", "--json").json()}
