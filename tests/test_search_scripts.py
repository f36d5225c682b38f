"""Search across scripts: Traditional and Simplified Chinese, and the regional terms of the glossary,
find each other in entries and plan titles, in new and in upgraded databases."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

from plantrack.core import scripts, text
from plantrack.store import fts, migrations

FIXTURES = Path(__file__).parent / "fixtures"


def found(cli, query: str) -> tuple[set[str], set[int]]:  # type: ignore[no-untyped-def]
    r = cli("search", query, "--json")
    assert r.exit_code == 0, r.stderr
    out = r.json()
    return {p["id"] for p in out["plan"]}, {e["id"] for e in out["entries"]}


# --- the folded form ---------------------------------------------------------------------------


def test_traditional_and_simplified_fold_to_one_form() -> None:
    for traditional, simplified in [("通關", "通关"), ("深圳園區", "深圳园区"), ("皇崗", "皇岗"),
                                    ("白名單", "白名单"), ("科匯通", "科汇通")]:  # fmt: skip
        assert scripts.fold(traditional) == scripts.fold(simplified) == simplified


def test_hong_kong_and_taiwan_variant_characters_fold_too() -> None:
    assert scripts.fold("衞生") == scripts.fold("卫生")  # Hong Kong's 衞
    assert scripts.fold("枱") == scripts.fold("台") == scripts.fold("臺")
    assert scripts.fold("手痺") == scripts.fold("手痹")  # Taiwan's 痺
    assert scripts.fold("什么") == "什么"  # a Simplified character is never turned into another


def test_character_folding_keeps_the_length_and_leaves_other_text_alone() -> None:
    mixed = "Lok Ma Chau 落馬洲河套區 R&D 2026年 (通關)"
    assert len(scripts.fold_chars(mixed)) == len(mixed)
    assert scripts.fold_chars(mixed) == "Lok Ma Chau 落马洲河套区 R&D 2026年 (通关)"
    assert scripts.fold("Joint laboratory, no Chinese") == "Joint laboratory, no Chinese"


def test_folding_twice_changes_nothing() -> None:
    for sample in ("資訊科技與雲端運算", "信息技术与云计算", "薴麻", "創科", "軟體與硬體"):
        once = scripts.fold(sample)
        assert scripts.fold(once) == once


def test_glossary_terms_fold_to_their_mainland_form() -> None:
    assert scripts.fold("資訊科技") == scripts.fold("信息技术") == "信息技术"
    assert scripts.fold("軟體") == scripts.fold("軟件") == scripts.fold("软件") == "软件"
    assert scripts.fold("網路") == scripts.fold("網絡") == "网络"
    assert scripts.fold("雲端運算服務") == "云计算服务"  # a form longer than its mainland one


def test_every_glossary_row_is_well_formed() -> None:
    rows = tomllib.loads(scripts.GLOSSARY.read_text(encoding="utf-8"))
    mainland = {scripts.fold_chars(m) for m in rows}
    seen: set[str] = set()
    for m, others in rows.items():
        assert scripts.to_hans(m) == m, f"{m} is the mainland form, written in Simplified"
        assert scripts.fold(m) == scripts.fold_chars(m), f"{m} must not contain another row's form"
        assert isinstance(others, list) and others
        for other in others:
            key = scripts.fold_chars(other)
            assert len(other) >= 2 and key not in seen and key not in mainland, other
            assert scripts.fold(other) == m
            seen.add(key)


def test_folding_text_without_chinese_does_not_load_opencc() -> None:
    code = (
        "import sys; from plantrack.core import scripts, text;"
        "text.index_form('Joint laboratory opened'); text.parse_query('laboratory');"
        "print('opencc' in sys.modules)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


def test_a_character_is_scanned_for_in_every_spelling() -> None:
    assert {"关", "關"} <= scripts.spellings("關") == scripts.spellings("关")
    assert {"台", "臺", "颱", "檯"} <= scripts.spellings("台")


def test_matches_are_found_on_the_folded_text_and_marked_on_the_original() -> None:
    assert scripts.find("口岸通關安排", "通关") == [(2, 4)]
    assert scripts.find("今日雲端運算服務啟用", "云计算") == [(2, 6)]  # the whole original term
    assert scripts.find("cloud: 云计算", "雲端運算") == [(7, 10)]
    assert scripts.find("Joint LABS", "labs") == [(6, 10)]
    out, spans = text.snippet("新皇岗口岸实行「合作查驗、一次放行」通關模式", ["通关", "查验"])
    assert [out[a:b] for a, b in spans] == ["查驗", "通關"]


def test_a_snippet_window_keeps_its_marks_on_the_written_characters() -> None:
    body = "前言" * 60 + "河套深港科技創新合作區的資訊科技人才" + "結語" * 60
    out, spans = text.snippet(body, ["信息技术"])
    assert out.startswith("…") and out.endswith("…")
    assert [out[a:b] for a, b in spans] == ["資訊科技"]


def test_the_index_holds_the_folded_text_and_its_glossary_rewrite_apart() -> None:
    assert text.index_form("口岸通關") == " 口岸 岸通 通关 "
    both = text.index_form("資訊 hello")
    assert both.split() == ["资讯", "hello", text.APART, "信息", "hello"]
    assert text.parse_query("資訊").match == '("资讯" OR "信息")'
    assert text.parse_query("關").substrings == ("关",)


# --- through the command line --------------------------------------------------------------------


def test_an_entry_written_in_traditional_is_found_in_simplified_and_back(small) -> None:
    hk = small("log", "obj-a", "通關安排已與海關確認", "--json").json()["id"]
    sz = small("log", "obj-b", "科研样本经一号通道携带通关", "--json").json()["id"]
    small("log", "obj-b", "unrelated English note")
    assert found(small, "通关")[1] == found(small, "通關")[1] == {hk, sz}
    assert found(small, "海关")[1] == {hk}
    assert found(small, "樣本")[1] == {sz}
    hit = small("search", "通关", "--json").json()["entries"]
    assert {e["text"] for e in hit} == {"通關安排已與海關確認", "科研样本经一号通道携带通关"}  # as written


def test_plan_titles_are_found_in_either_script_with_the_same_results(cli) -> None:
    assert cli("init").exit_code == 0  # the packaged Hetao plan
    for simplified, traditional in [("深圳园区", "深圳園區"), ("皇岗", "皇崗"), ("白名单", "白名單"),
                                    ("科汇通", "科匯通"), ("河套", "河套")]:  # fmt: skip
        expected = found(cli, simplified)
        assert expected[0], simplified
        assert found(cli, traditional) == expected, traditional


def test_glossary_terms_find_each_other_both_ways(small) -> None:
    hk = small("log", "obj-a", "資訊科技人才計劃第三期", "--json").json()["id"]
    sz = small("log", "obj-b", "推动信息技术与软件产业", "--json").json()["id"]
    tw = small("log", "obj-b", "雲端運算平台啟用", "--json").json()["id"]
    assert found(small, "信息技术")[1] == found(small, "資訊科技")[1] == {hk, sz}
    assert found(small, "軟體")[1] == found(small, "软件")[1] == {sz}
    assert found(small, "云计算")[1] == found(small, "雲端運算")[1] == {tw}
    assert found(small, "资讯")[1] == {hk, sz}  # 資訊 and 信息 are one term
    assert found(small, "资讯科")[1] == {hk}  # and the words as written are still indexed


def test_no_phrase_matches_across_a_text_and_its_glossary_rewrite(small) -> None:
    e = small("log", "obj-a", "資訊 hello", "--json").json()["id"]
    assert found(small, "hello")[1] == found(small, '"信息 hello"')[1] == {e}
    assert found(small, '"hello 信息"')[1] == set()


def test_a_one_character_term_finds_both_scripts_in_entries_and_titles(small) -> None:
    hk = small("log", "obj-a", "關口", "--json").json()["id"]
    sz = small("log", "obj-b", "关口", "--json").json()["id"]
    small("log", "obj-b", "口岸", "--json")
    assert found(small, "關")[1] == found(small, "关")[1] == {hk, sz}
    assert found(small, "規")[0] == found(small, "规")[0] == {"test-plan"}  # 测试规划
    assert found(small, "规 关")[0] == set()  # every character must be there


def test_a_plan_title_found_in_either_script_is_shown_in_the_readers(small) -> None:
    assert "測試規劃" in small("--lang", "zh-Hant", "search", "测试规划").stdout
    assert "测试规划" in small("--lang", "zh-Hans", "search", "測試規劃").stdout


def test_the_text_output_shows_the_entry_as_written(small) -> None:
    small("log", "obj-a", "新皇崗口岸通關模式")
    r = small("search", "皇岗口岸")
    assert r.exit_code == 0
    assert "新皇崗口岸通關模式" in r.stdout


# --- existing databases ---------------------------------------------------------------------------


def _as_before_m007(path: Path) -> None:
    """Put a database back as the release before m007 left it: the same tables, the index made
    of the text as written (not folded), m007 not applied."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO entry_fts (entry_fts) VALUES ('delete-all')")
        for eid, body, tags, name in conn.execute(
            "SELECT id, text, tags, attachment_name FROM entry"
        ).fetchall():
            words = [body or ""] + json.loads(tags) + ([name] if name else [])
            conn.execute(
                "INSERT INTO entry_fts (rowid, body) VALUES (?, ?)", (eid, text.segment(" ".join(words)))
            )
        conn.execute("DELETE FROM plan_fts")
        for oid, kind, data in conn.execute("SELECT id, kind, data_json FROM plan_object").fetchall():
            conn.execute(
                "INSERT INTO plan_fts (object_id, kind, body) VALUES (?, ?, ?)",
                (oid, kind, text.segment(fts.plan_text(oid, json.loads(data)))),
            )
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_fold_scripts'")
    conn.close()


def _raw_hits(path: Path, table: str, phrase: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (phrase,)).fetchone()[0]
    finally:
        conn.close()


def test_an_older_database_is_reindexed_and_finds_both_scripts(small, tmp_path: Path) -> None:
    hk = small("log", "obj-a", "通關安排與資訊科技", "--json").json()["id"]
    sz = small("log", "obj-b", "样本通关", "--json").json()["id"]
    path = tmp_path / "plantrack.db"
    _as_before_m007(path)
    assert _raw_hits(path, "entry_fts", '"通关"') == 1  # as before: only the Simplified entry
    assert _raw_hits(path, "plan_fts", '"规划"') == 1 and _raw_hits(path, "plan_fts", '"測試"') == 0

    assert found(small, "通關")[1] == found(small, "通关")[1] == {hk, sz}  # the upgrade runs here
    assert found(small, "信息技术")[1] == {hk}
    assert found(small, "測試規劃")[0] == {"test-plan"}
    conn = sqlite3.connect(path)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    conn.close()
    assert applied[-1] == "m007_fold_scripts" and len(applied) == len(migrations.MIGRATIONS)
    assert small("db", "doctor").exit_code == 0


def test_the_first_released_schema_finds_its_traditional_entry_in_simplified(cli, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema-v1.db", db)
    for query in ("通關", "通关"):
        hits = cli("--db", db, "search", query, "--json").json()["entries"]
        assert [h["target"] for h in hits] == ["obj-b"], query
