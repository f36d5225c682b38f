"""Files people use: CSV saved by Excel in a Chinese locale, CSV reports Excel opens, xlsx reports."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from plantrack.store import bulk

from .conftest import SMALL_PLAN

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
    for name in ("rot13", "base64", "undefined", "utf-8\x00"):  # codecs, but not for text; no codec
        assert small("log", "--csv", f, "--encoding", name).exit_code == 2, name
    assert stored_texts() == []


def test_bytes_that_do_not_decode_in_the_forced_encoding_are_named_by_line_and_byte(
    small, tmp_path: Path
) -> None:
    good = "id,text,on\r\nobj-a,口岸通關,2026-08-15\r\n".encode("big5")
    f = tmp_path / "notes.csv"
    f.write_bytes(good + b"obj-b,bad \xff byte,2026-08-16\r\n")
    r = small("log", "--csv", f, "--encoding", "big5")
    assert r.exit_code == 2
    assert f"is not valid big5: line 3, byte {len(good) + 11} (0xff) does not decode" in r.stderr
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


# --- xlsx ----------------------------------------------------------------------------------------

ZH_PLAN = SMALL_PLAN.replace(
    'title = "Objective A"\n', 'title = "Objective A"\n    title_zh = "深圳园区跨境通关便利化"\n'
).replace('name = "Joint labs"\n', 'name = "Joint labs"\n      name_zh = "港深联合实验室"\n')
NOTE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def reported(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The small plan with Chinese titles, obj-a red (3 of 20 labs), a hostile note in 2026-Q3;
    ``reported(*options)`` writes the 2026-Q3 xlsx report and opens it with openpyxl."""
    import openpyxl

    plan = tmp_path / "plan.toml"
    plan.write_text(ZH_PLAN, encoding="utf-8")
    monkeypatch.setenv("PLANTRACK_PLAN", str(plan))
    assert cli("init").exit_code == 0
    assert cli("measure", "ind-a", "3", "--on", "2026-06-30").exit_code == 0
    assert cli("log", "obj-a", NOTE, "--on", "2026-08-15").exit_code == 0

    def run(*options: str):  # type: ignore[no-untyped-def]
        out = tmp_path / "report.xlsx"
        r = cli(*options, "report", "--format", "xlsx", "--period", "2026-Q3", "--out", out)
        assert r.exit_code == 0, r.stderr
        return openpyxl.load_workbook(out)

    return run


def column(ws, name: str) -> list[object]:  # type: ignore[no-untyped-def]
    """The values under the header ``name``."""
    headers = [c.value for c in ws[1]]
    return [row[headers.index(name)].value for row in ws.iter_rows(min_row=2)]


def cell(ws, row_id: str, name: str):  # type: ignore[no-untyped-def]
    """The cell in the row whose first column is ``row_id``, under the header ``name``."""
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == row_id:
            return row[headers.index(name)]
    raise KeyError(row_id)


def test_an_xlsx_report_has_a_sheet_per_section_each_with_a_frozen_header_and_a_filter(reported) -> None:
    wb = reported()
    assert wb.sheetnames == [
        "Summary",
        "Groups",
        "Objectives",
        "Indicators",
        "Milestones",
        "Evidence",
        "Changes",
    ]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(c.font.b for c in ws[1]), ws.title
    assert column(wb["Objectives"], "ID") == ["obj-a", "obj-b"]
    assert column(wb["Milestones"], "ID") == ["ms-a1", "ms-a2", "ms-a3"]
    assert column(wb["Indicators"], "ID") == ["ind-a", "ind-b"]
    assert wb["Objectives"].column_dimensions["B"].width > len("Objective A")


def test_xlsx_dates_are_date_cells_and_figures_are_numbers(reported, cli) -> None:
    wb = reported()
    due = cell(wb["Milestones"], "obj-a", "Due")
    assert due.value == datetime(2025, 6, 30) and due.number_format == "yyyy-mm-dd"
    progress = cell(wb["Objectives"], "obj-a", "Progress")
    as_json = cli("report", "--format", "json", "--period", "2026-Q3").json()["objectives"]
    assert progress.value == pytest.approx(
        next(o["progress"] for o in as_json if o["id"] == "obj-a"), abs=1e-4
    )
    assert progress.value > 0 and progress.number_format == "0.0%"
    labs = wb["Indicators"]
    assert column(labs, "Value")[0] == 3 and column(labs, "Target")[0] == 20
    assert column(labs, "Unit")[0] == "labs"
    assert column(labs, "Measured on")[0] == datetime(2026, 6, 30)
    summary = {row[0].value: row[1] for row in wb["Summary"].iter_rows(min_row=2)}
    assert summary["As of"].value == datetime(2026, 9, 30) and summary["Period"].value == "2026-Q3"
    assert (
        isinstance(summary["Progress made"].value, float) and summary["Progress made"].number_format == "0.0%"
    )


def test_a_red_objective_has_its_rag_cell_filled_red(reported) -> None:
    rag = cell(reported()["Objectives"], "obj-a", "RAG")
    assert rag.value == "red"
    assert rag.fill.fgColor.rgb == "FFC62828"
    assert cell(reported()["Objectives"], "obj-b", "RAG").fill.fgColor.rgb != "FFC62828"


def test_a_user_note_starting_with_equals_is_text_not_a_formula(reported, tmp_path: Path) -> None:
    notes = reported()["Evidence"]
    texts = column(notes, "Text")
    assert NOTE in texts
    assert notes.cell(row=texts.index(NOTE) + 2, column=8).data_type == "s"
    with zipfile.ZipFile(tmp_path / "report.xlsx") as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_traditional_reader_gets_traditional_titles_sheets_and_headers(reported) -> None:
    wb = reported("--lang", "zh-Hant")
    assert wb.sheetnames[:3] == ["摘要", "分組", "目標"]
    objectives = wb["目標"]
    assert cell(objectives, "obj-a", "標題").value == "深圳園區跨境通關便利化"
    assert cell(objectives, "obj-a", "英文標題").value == "Objective A"
    assert cell(objectives, "obj-a", "紅黃綠評級").value == "紅"
    assert column(wb["指標"], "名稱")[0] == "港深聯合實驗室"
    summary = {row[0].value: row[1].value for row in wb["摘要"].iter_rows(min_row=2)}
    assert summary["規劃"] == "測試規劃"


def test_a_simplified_reader_gets_simplified_titles(reported) -> None:
    wb = reported("--lang", "zh-Hans")
    assert cell(wb["目标"], "obj-a", "标题").value == "深圳园区跨境通关便利化"


def test_an_xlsx_report_needs_out(reported, cli) -> None:
    reported()
    r = cli("report", "--format", "xlsx", "--period", "2026-Q3")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "xlsx reports are files, not text: give --out; --out test-plan-2026-Q3.xlsx" in r.stderr


def test_the_same_report_gives_the_same_xlsx_bytes(reported, tmp_path: Path) -> None:
    reported()
    first = (tmp_path / "report.xlsx").read_bytes()
    reported()
    assert (tmp_path / "report.xlsx").read_bytes() == first
    assert zipfile.ZipFile(io.BytesIO(first)).testzip() is None


def test_xlsx_goes_with_other_formats_into_a_folder(small, tmp_path: Path) -> None:
    r = small("report", "--format", "md,xlsx,csv", "--period", "2026-Q3", "--out", tmp_path / "out/")
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "test-plan-2026-Q3.csv", "test-plan-2026-Q3.md", "test-plan-2026-Q3.xlsx",
    ]  # fmt: skip
    assert (tmp_path / "out" / "test-plan-2026-Q3.xlsx").read_bytes().startswith(b"PK")
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "test-plan-2026-Q3.csv").read_text("utf-8-sig"))))
    assert rows[0][0] == "objective"
