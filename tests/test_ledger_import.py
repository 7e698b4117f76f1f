"""``wmcj activity import``: an office's old ledger in, all or nothing, and only once."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

import ledger_sample
from wmcj.ledger_import import (
    _normalise,
    _Problem,
    decode_text,
    parse_cell_date,
    parse_cell_hours,
    parse_cell_people,
)


def listed(run: Any, *args: str) -> list[dict[str, Any]]:
    result = run(*args, "activity", "list", "--year", "2018", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def snapshot(db_path: Path) -> tuple[list[str], list[str]]:
    """Every row of every table and every stored file: what a refused import must not change."""
    with sqlite3.connect(db_path) as conn:
        rows = list(conn.iterdump())
    conn.close()
    store = db_path.with_name(db_path.stem + "-files")
    files = sorted(str(p) for p in store.rglob("*")) if store.exists() else []
    return rows, files


def excel_made(path: Path, rows: list[list[Any]], headings: list[str] | None = None) -> Path:
    """A ledger shaped as people make them in Excel: a merged title row, a blank row, headings."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    headings = headings or ["序号", "日期", "活动名称", "任务", "参加人数", "时长（小时）", "地点"]
    sheet.cell(row=1, column=1, value="某县科学技术局2018年文明创建活动台账")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    # row 2 is left blank, as people do
    for column, heading in enumerate(headings, start=1):
        sheet.cell(row=3, column=column, value=heading)
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=4 + offset, column=column, value=value)
    book.save(path)
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """The sample ledger (CSV, UTF-8 with a BOM) with its photos and documents beside it."""
    return ledger_sample.write_ledger(tmp_path / "旧台账")


# -- a whole ledger in ------------------------------------------------------------------


def test_every_field_of_every_row_is_imported(run: Any, loaded: Path, ledger: Path) -> None:
    result = run("activity", "import", str(ledger))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "columns not imported: 序号",
        "imported 15 activities from 台账2018.csv (#1–#15)",
    ]
    activities = listed(run)
    assert [a["title"] for a in activities] == [row[1] for row in ledger_sample.ROWS]
    by_title = {a["title"]: a for a in activities}

    rally = by_title["召开创建动员会"]
    assert rally["date"] == "2018-03-20"
    assert rally["tasks"] == ["mobilization-meeting", "responsibility-division"]
    assert (rally["people"], rally["hours"], rally["place"]) == (45, 2.0, "局会议室")
    assert (rally["note"], rally["tags"]) == ("召开2018年文明单位创建动员会。", ["会议"])
    assert [a["name"] for a in rally["attachments"]] == ["动员会.png"]
    photo = (ledger.parent / "动员会.png").read_bytes()
    assert rally["attachments"][0]["sha256"] == hashlib.sha256(photo).hexdigest()
    assert rally["attachments"][0]["photo"] is True

    qingming = by_title["清明节祭扫烈士墓"]
    assert qingming["who"] == ["张三", "李四"]
    assert [a["name"] for a in qingming["attachments"]] == ["清明1.png", "清明2.png"]
    # A task named by its exact title, beside one named by its id.
    assert by_title["四月主题党日：两学一做专题学习"]["tasks"] == [
        "two-study-one-do",
        "speeches-study",
    ]
    # New lines, ';' and ',' separate tasks as well as 、.
    assert by_title["全民国家安全教育日宣传"]["tasks"] == [
        "wechat-civility",
        "publicity-atmosphere",
    ]
    assert by_title["走访高新技术企业宣讲科技政策"]["tasks"] == [
        "hi-tech-cultivation",
        "policy-publicity",
    ]
    assert by_title["召开一季度创建工作会议"]["tasks"] == ["daily-management", "work-meetings"]
    # Empty cells are absent values, not zeros.
    posted = by_title["微信公众号发布创建工作动态"]
    assert (posted["people"], posted["hours"], posted["place"], posted["note"]) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_with_or_without_bom_or_gbk(
    run: Any, loaded: Path, tmp_path: Path, encoding: str
) -> None:
    path = ledger_sample.write_ledger(tmp_path / encoding, f"台账-{encoding}.csv", encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # really GBK, not UTF-8 by luck
    result = run("activity", "import", str(path))
    assert result.exit_code == 0, result.stderr
    activities = listed(run)
    assert [a["title"] for a in activities] == [row[1] for row in ledger_sample.ROWS]
    assert activities[13]["tasks"] == ["two-study-one-do", "speeches-study"]  # “” survive GBK


def test_an_excel_made_file_with_a_merged_title_and_a_blank_row(
    run: Any, loaded: Path, tmp_path: Path
) -> None:
    path = excel_made(
        tmp_path / "台账.xlsx",
        [
            [1, datetime(2018, 4, 26), "知识产权日宣传", "ip-day-events", 30, 2.5, "县广场"],
            [2, "2018/5/12", " 防灾减灾日演练 ", "5.12防灾减灾日活动", "80人", "3小时", None],
            [None, None, None, None, None, None, None],  # a blank row in the middle
            [
                3,
                "2018年9月20日",
                "道德讲堂",
                "加强个人品德、家庭美德、职业道德、社会公德建设\ngood-deeds",
                12.0,
                1,
                "会议室",
            ],
        ],
    )
    result = run("activity", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "imported 3 activities from 台账.xlsx (#1–#3)" in result.stdout
    activities = listed(run)
    assert [
        (a["date"], a["title"], a["tasks"], a["people"], a["hours"], a["place"]) for a in activities
    ] == [
        ("2018-04-26", "知识产权日宣传", ["ip-day-events"], 30, 2.5, "县广场"),
        ("2018-05-12", "防灾减灾日演练", ["disaster-day-events"], 80, 3.0, None),
        ("2018-09-20", "道德讲堂", ["morality-building", "good-deeds"], 12, 1.0, "会议室"),
    ]


def test_english_headings(run: Any, loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        "Date,Title,Task,People,Hours,Place,Note,Tags\n"
        "2018-04-26,IP day stall,ip-day-events,8,1.5,Square,Handed out leaflets,publicity;ip\n",
        encoding="utf-8",
    )
    result = run("activity", "import", str(path))
    assert result.exit_code == 0, result.stderr
    (activity,) = listed(run)
    assert (activity["title"], activity["note"], activity["tags"]) == (
        "IP day stall",
        "Handed out leaflets",
        ["publicity", "ip"],
    )


# -- all or nothing ---------------------------------------------------------------------


def test_any_bad_row_refuses_the_whole_file_naming_each_row(
    run: Any, loaded: Path, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "台账.csv"
    path.write_text(
        "日期,活动名称,任务,参加人数,时长,附件\n"
        "2018-04-26,知识产权日宣传,ip-day-events,30,2,\n"  # row 2: fine
        "2018-13-01,月度会议,work-meetings,,,\n"  # row 3
        "2018-04-10,制度修订,regulation,,,\n"  # row 4
        "2018-04-11,走访企业,hi-tech-cultivation,-3,,\n"  # row 5
        "2018-04-12,,wechat-news,,,\n"  # row 6
        "2019-01-05,新年活动,wechat-news,,,\n"  # row 7
        "2018-04-13,学习,speeches-study,,两小时,\n"  # row 8
        "2018-04-14,照片,wechat-news,,,不存在.jpg\n",  # row 9
        encoding="utf-8",
    )
    before = snapshot(db_path)
    result = run("activity", "import", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: 台账.csv row 3: 日期 '2018-13-01' is not a real date",
        "error: 台账.csv row 4: no task 'regulation' in plan 2018 — did you mean 'regulations'?",
        "error: 台账.csv row 5: 参加人数 -3 is negative; give how many took part",
        "error: 台账.csv row 6: the title (活动名称) is empty; say in a few words what was done",
        "error: 台账.csv row 7: 2019-01-05 lies outside every loaded plan's year (loaded: 2018)",
        "error: 台账.csv row 8: 时长 '两小时' is not a number",
        f"error: 台账.csv row 9: attachment '不存在.jpg' is not in {tmp_path}; put the files"
        " beside the ledger, or empty the cell",
        "error: 台账.csv: 7 row(s) have problems; nothing was imported (fix them and import again)",
    ]
    assert snapshot(db_path) == before
    assert listed(run) == []


def test_refusal_in_chinese(run: Any, loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "台账.csv"
    path.write_text("日期,活动名称,任务\n2018-04-10,制度修订,regulation\n", encoding="utf-8")
    result = run("--lang", "zh", "activity", "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "错误: 台账.csv 第 2 行：2018 年计划中没有任务 'regulation'——是不是要找 'regulations'？",
        "错误: 台账.csv：有 1 行存在问题，未导入任何内容（请修改后重新导入）",
    ]


def test_a_file_without_the_needed_headings_is_refused(
    run: Any, loaded: Path, tmp_path: Path
) -> None:
    no_task = tmp_path / "缺列.csv"
    no_task.write_text("日期,活动名称,地点\n2018-04-10,制度修订,会议室\n", encoding="utf-8")
    result = run("activity", "import", str(no_task))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: 缺列.csv: the heading row 1 has no column for 任务 (task); name it as in"
        " 日期, 活动名称, 任务 (or date, title, task)\n"
    )
    nothing = tmp_path / "空.csv"
    nothing.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("activity", "import", str(nothing))
    assert result.exit_code == 2
    assert "no heading row found in the first 30 rows" in result.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "台账.xls",
            "台账.xls is an old-style workbook; open it in Excel or WPS, save it as .xlsx",
        ),
        ("台账.docx", "台账.docx: import reads .xlsx and .csv files, not '.docx'"),
        ("坏.xlsx", "坏.xlsx: cannot read it as an Excel workbook"),
    ],
)
def test_files_that_are_not_ledgers(
    run: Any, loaded: Path, tmp_path: Path, name: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"not a workbook")
    result = run("activity", "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    missing = run("activity", "import", str(tmp_path / "无.csv"))
    assert (missing.exit_code, missing.stderr) == (
        2,
        f"error: no such file: {tmp_path / '无.csv'}\n",
    )


# -- dry run and importing twice --------------------------------------------------------


def test_dry_run_shows_what_would_be_added_and_writes_nothing(
    run: Any, loaded: Path, ledger: Path, db_path: Path
) -> None:
    before = snapshot(db_path)
    result = run("activity", "import", str(ledger), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert snapshot(db_path) == before
    assert "Would be added" in result.stdout
    assert "清明节祭扫烈士墓" in result.stdout and "mobilization-meeting," in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "dry run: 15 activities would be imported from 台账2018.csv, 0 rows are already"
        " recorded; nothing was written"
    )


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    run: Any, loaded: Path, ledger: Path, db_path: Path
) -> None:
    assert run("activity", "import", str(ledger)).exit_code == 0
    before = snapshot(db_path)
    again = run("activity", "import", str(ledger))
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[-1] == (
        "nothing to import: all 15 rows of 台账2018.csv are already recorded"
    )
    assert snapshot(db_path) == before
    dry = run("activity", "import", str(ledger), "--dry-run")
    assert dry.stdout.splitlines()[-1] == again.stdout.splitlines()[-1]


def test_an_overlapping_ledger_adds_only_the_new_rows(
    run: Any, loaded: Path, tmp_path: Path
) -> None:
    first = tmp_path / "一季度.csv"
    first.write_text(
        "日期,活动名称,任务\n"
        "2018-04-12,微信发布,wechat-news\n"
        "2018-04-12,微信发布,wechat-news\n"  # two posts on one day: two activities
        "2018-04-13,主题党日,two-study-one-do、speeches-study\n",
        encoding="utf-8",
    )
    assert run("activity", "import", str(first)).exit_code == 0
    # Edited after the import: still recognised by its date, title and tasks.
    assert run("activity", "edit", "3", "--note", "补充说明").exit_code == 0
    second = tmp_path / "上半年.csv"
    second.write_text(
        "日期,活动名称,任务\n"
        "2018-04-12, 微信发布 ,wechat-news\n"
        "2018-04-12,微信发布,wechat-news\n"
        "2018-04-12,微信发布,wechat-news\n"  # a third post that day is new
        "2018-04-13,主题党日,speeches-study、two-study-one-do\n"  # the same tasks, other order
        "2018-04-13,主题党日,speeches-study\n",  # other tasks: another activity
        encoding="utf-8",
    )
    result = run("activity", "import", str(second))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "imported 2 activities from 上半年.csv (#4–#5)",
        "skipped 3 rows already recorded",
    ]
    assert [(a["date"], a["title"], a["tasks"]) for a in listed(run)] == [
        ("2018-04-12", "微信发布", ["wechat-news"]),
        ("2018-04-12", "微信发布", ["wechat-news"]),
        ("2018-04-12", "微信发布", ["wechat-news"]),
        ("2018-04-13", "主题党日", ["two-study-one-do", "speeches-study"]),
        ("2018-04-13", "主题党日", ["speeches-study"]),
    ]


def test_without_a_plan_nothing_can_be_imported(run: Any, ledger: Path) -> None:
    result = run("activity", "import", str(ledger))
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no plan is loaded yet; load one with: wmcj plan load FILE\n",
    )


# -- reading cells ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "normalised"),
    [("时长（小时）", "时长"), (" Task ID ", "taskid"), ("*日期", "日期"), ("ＤＡＴＥ", "date")],
)
def test_headings_are_compared_loosely(heading: str, normalised: str) -> None:
    assert _normalise(heading) == normalised


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)))
def test_every_way_offices_write_a_date(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}.{m:02d}.{d}",
        f"{y}年{m}月{d}日",
        f"{day.isoformat()} 00:00:00",
    ):
        assert parse_cell_date(text, "日期") == day
    assert parse_cell_date(datetime(y, m, d), "日期") == day


@pytest.mark.parametrize("text", ["4月26日", "2018-04", "26/04/2018", "明天", "2018-02-30"])
def test_what_is_not_a_date(text: str) -> None:
    with pytest.raises(_Problem, match="日期"):
        parse_cell_date(text, "日期")


def test_figures_with_their_units() -> None:
    assert parse_cell_people("30人", "人数") == 30
    assert parse_cell_people(12.0, "人数") == 12
    assert parse_cell_people("  ", "人数") is None
    assert parse_cell_hours("2.5小时", "时长") == 2.5
    assert parse_cell_hours("3h", "时长") == 3.0
    for bad in ("12.5", "-1", "很多", True):
        with pytest.raises(_Problem):
            parse_cell_people(bad, "人数")
    for bad in ("-1", "nan", "inf", "9000"):
        with pytest.raises(_Problem):
            parse_cell_hours(bad, "时长")


def test_text_encodings() -> None:
    text = "日期,活动名称\n2018-04-26,宣传\n"
    assert decode_text(text.encode("gbk"), "a.csv") == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode(), "a.csv") == text
    assert decode_text(text.encode("utf-16"), "a.csv") == text
