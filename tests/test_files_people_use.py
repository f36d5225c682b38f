"""Files people use: CSV saved by Excel in a Chinese locale, CSV reports Excel opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from plantrack.store import bulk

# Realistic rows of the plan's own evidence, written once in each script.
NOTES_HANS = [
    ("obj-a", "河套深港科技创新合作区深圳园区推进跨境通关便利化，皇岗口岸重建完成主体结构。", "2026-08-15"),
    ("obj-b", "科研数据跨境流动白名单试点扩容；科汇通资金跨境试点新增十家机构。", "2026-09-01"),
    ("obj-a", "国家药监局批准首批港澳药械通产品在园区内使用，第二批名单正在公示。", "2026-09-20"),
]
NOTES_HANT = [
    ("obj-a", "河套深港科技創新合作區香港園區首批大樓落成，推進跨境通關便利化。", "2026-08-15"),
    ("obj-b", "科研數據跨境流動白名單試點擴容；科匯通資金跨境試點新增十家機構。", "2026-09-01"),
    ("obj-a", "創新科技及工業局公布園區第一期發展計劃，並就土地用途諮詢公眾。", "2026-09-20"),
]


def excel_csv(
    path: Path, rows: list[tuple[str, str, str]], encoding: str, header: str = "id,text,on"
) -> Path:
    """A CSV file as Excel saves one: CRLF line ends, in the computer's code page."""
    text = header + "\r\n" + "".join(",".join(row) + "\r\n" for row in rows)
    path.write_bytes(text.encode(encoding))
    return path


def stored_texts() -> list[str]:
    with sqlite3.connect(Path.cwd() / "plantrack.db") as conn:
        return [t for (t,) in conn.execute("SELECT text FROM entry ORDER BY id")]


# --- CSV in, in the encodings Excel writes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "encoding", "named"),
    [(NOTES_HANS, "gb18030", "GB18030"), (NOTES_HANS, "gbk", "GB18030"), (NOTES_HANT, "cp950", "Big5"),
     (NOTES_HANT, "big5", "Big5"), (NOTES_HANT, "gbk", "GB18030")],
    ids=["simplified-gb18030", "simplified-gbk", "traditional-cp950", "traditional-big5", "traditional-gbk"],
)  # fmt: skip
def test_a_csv_saved_by_excel_in_a_chinese_locale_loads_and_says_how_it_was_read(
    small, tmp_path: Path, rows: list[tuple[str, str, str]], encoding: str, named: str
) -> None:
    f = excel_csv(tmp_path / "notes.csv", rows, encoding)
    r = small("log", "--csv", f)
    assert r.exit_code == 0, r.stderr
    assert f"read notes.csv as {named}\n" in r.stderr
    assert stored_texts() == [text for _id, text, _on in rows]


def test_a_big5_file_with_hong_kong_characters_is_read_as_big5_hkscs(small, tmp_path: Path) -> None:
    rows = [("obj-a", "深圳灣口岸與落馬洲邨一帶交通改善，屯門至元朗段嘅路線已諮詢區議會。", "2026-08-15")]
    f = excel_csv(tmp_path / "hk.csv", rows, "big5hkscs")
    r = small("log", "--csv", f)
    assert r.exit_code == 0, r.stderr
    assert "read hk.csv as Big5-HKSCS" in r.stderr
    assert stored_texts() == [rows[0][1]]


def test_utf8_with_a_byte_order_mark_loads_without_a_word_about_encodings(small, tmp_path: Path) -> None:
    f = excel_csv(tmp_path / "notes.csv", NOTES_HANS, "utf-8-sig")
    assert f.read_bytes().startswith(b"\xef\xbb\xbf")
    r = small("log", "--csv", f)
    assert r.exit_code == 0, r.stderr
    assert "read notes.csv as" not in r.stderr
    assert stored_texts() == [text for _id, text, _on in NOTES_HANS]


@pytest.mark.parametrize(
    ("command", "header", "row"),
    [
        ("measure", "id,value,on,note", ("ind-a", "7", "2026-08-31", "港深联合实验室新增两家")),
        ("log", "id,text,on", ("obj-a", "港深联合实验室新增两家", "2026-08-31")),
        ("milestone", "id,state,on,note", ("ms-a1", "done", "2026-08-31", "港深联合实验室新增两家")),
        ("assess", "id,level,on,note", ("obj-a", "amber", "2026-08-31", "港深联合实验室新增两家")),
    ],
)
def test_every_csv_load_takes_a_forced_encoding(
    small, tmp_path: Path, command: str, header: str, row: tuple[str, ...]
) -> None:
    f = tmp_path / "rows.csv"
    f.write_bytes((header + "\r\n" + ",".join(row) + "\r\n").encode("gb18030"))
    r = small(command, "--csv", f, "--encoding", "gb18030")
    assert r.exit_code == 0, r.stderr
    assert "read rows.csv as gb18030" in r.stderr
    assert stored_texts() == ["港深联合实验室新增两家"]


def test_an_unknown_encoding_is_a_one_line_error(small, tmp_path: Path) -> None:
    f = excel_csv(tmp_path / "notes.csv", NOTES_HANS, "gb18030")
    r = small("log", "--csv", f, "--encoding", "klingon")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "unknown encoding 'klingon'" in r.stderr
    assert small("log", "--csv", f, "--encoding", "rot13").exit_code == 2  # a codec, but not for text
    assert stored_texts() == []


def test_bytes_that_do_not_decode_in_the_forced_encoding_are_named_by_line_and_byte(
    small, tmp_path: Path
) -> None:
    good = "id,text,on\r\nobj-a,口岸通關,2026-08-15\r\n".encode("big5")
    f = tmp_path / "notes.csv"
    f.write_bytes(good + b"obj-b,bad \xff byte,2026-08-16\r\n")
    r = small("log", "--csv", f, "--encoding", "big5")
    assert r.exit_code == 2
    assert f"is not valid big5: line 3, byte {len(good) + 11} (0xff)" in r.stderr
    assert stored_texts() == []


def test_a_file_in_no_encoding_we_know_is_refused_saying_how_to_save_it(small, tmp_path: Path) -> None:
    f = tmp_path / "notes.csv"
    f.write_bytes("id,text,on\nobj-a,Café in Zürich,2026-08-15\n".encode("latin-1"))
    r = small("log", "--csv", f)
    assert r.exit_code == 2
    assert "is not UTF-8, GB18030 or Big5 text (line 2, byte 21 (0xe9) is not UTF-8)" in r.stderr
    assert "CSV UTF-8" in r.stderr
    assert small("log", "--csv", f, "--encoding", "latin-1").exit_code == 0
    assert stored_texts() == ["Café in Zürich"]


def test_a_bad_row_in_a_gb18030_file_still_records_nothing(small, tmp_path: Path) -> None:
    rows = [*NOTES_HANS[:2], ("obj-x", "不存在的目标", "2026-09-01")]
    r = small("log", "--csv", excel_csv(tmp_path / "notes.csv", rows, "gb18030"))
    assert r.exit_code == 2
    assert "row 4, column 'id'" in r.stderr
    assert stored_texts() == []


def test_encoding_goes_only_with_csv(small) -> None:
    r = small("log", "obj-a", "口岸通關", "--encoding", "big5")
    assert r.exit_code == 2 and "--encoding goes with --csv" in r.stderr
    assert small("milestone", "--encoding", "big5").exit_code == 2
    assert stored_texts() == []


@pytest.mark.parametrize("rows", [NOTES_HANS, NOTES_HANT], ids=["simplified", "traditional"])
def test_each_line_of_policy_text_alone_is_told_apart(rows: list[tuple[str, str, str]]) -> None:
    """Each sentence alone, in the encoding its script is written in, is read back as written:
    GB18030 decodes almost any bytes, and GB2312 text often decodes as Big5 too."""
    encoding, named = ("gb18030", "GB18030") if rows is NOTES_HANS else ("cp950", "Big5")
    for _id, text, _on in rows:
        assert bulk.decode_legacy(text.encode(encoding)) == (text, named)


# --- CSV out, for Excel --------------------------------------------------------------------------


def test_the_report_csv_starts_with_a_byte_order_mark_for_excel(small, tmp_path: Path) -> None:
    r = small("report", "--format", "csv", "--period", "2026-Q3")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("\ufeffobjective,title,")
    assert (
        small("report", "--format", "csv,json", "--period", "2026-Q3", "--out", tmp_path / "r/").exit_code
        == 0
    )
    assert (tmp_path / "r" / "test-plan-2026-Q3.csv").read_bytes().startswith(b"\xef\xbb\xbfobjective,")
    # JSON is for machines: no mark.
    assert (tmp_path / "r" / "test-plan-2026-Q3.json").read_bytes().startswith(b"{")


def test_our_csv_reader_reads_our_csv_report_back(small, tmp_path: Path) -> None:
    from plantrack.render.jsoncsv import COLUMNS

    small("log", "obj-a", "口岸通關安排", "--on", "2026-08-15")
    assert (
        small("report", "--format", "csv", "--period", "2026-Q3", "--out", tmp_path / "r.csv").exit_code == 0
    )
    header, rows, handle, encoding = bulk.read_rows(tmp_path / "r.csv")
    with handle:
        titles = [row[1] for _line, row in rows]
    assert header == list(COLUMNS) and encoding == "UTF-8"
    assert titles[0] == "Objective A"
