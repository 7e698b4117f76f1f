"""``wmcj export xlsx``: a workbook that looks finished, and that imports back unchanged."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import ledger_sample
from wmcj.excel import STATUS_COLOURS, cell_width


@pytest.fixture
def recorded(run: Any, loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample ledger imported, one task marked done, the clock on 2018-04-16."""
    monkeypatch.setenv("WMCJ_TODAY", "2018-04-16")
    ledger = ledger_sample.write_ledger(tmp_path / "旧台账")
    assert run("activity", "import", str(ledger)).exit_code == 0
    assert run("task", "done", "work-plan", "--date", "2018-03-20").exit_code == 0
    return ledger


def export(run: Any, out: Path, *options: str) -> Any:
    result = run(*options, "export", "xlsx", "--year", "2018", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return load_workbook(out)


def report(run: Any) -> dict[str, Any]:
    result = run("report", "--year", "2018", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_ledger_sheet_looks_finished(run: Any, recorded: Path, tmp_path: Path) -> None:
    book = export(run, tmp_path / "台账2018.xlsx", "--lang", "zh")
    assert book.sheetnames == ["总览", "活动台账"]
    sheet = book["活动台账"]
    headings = [c.value for c in sheet[1]]
    assert headings == [
        "#",
        "日期",
        "活动名称",
        "任务",
        "任务名称",
        "参加人数",
        "参加人员",
        "时长（小时）",
        "地点",
        "备注",
        "标签",
        "附件",
    ]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L16"
    assert sheet.max_row == 16
    # Real dates, shown as dates.
    assert sheet["B2"].value == datetime(2018, 1, 15)
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    qingming = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "清明节祭扫烈士墓")
    assert [c.value for c in qingming[3:]] == [
        "traditional-festivals",
        "清明、中秋、国庆等传统节日活动",
        23,
        "张三、李四",
        2,
        "烈士陵园",
        "组织党员干部缅怀革命先烈。",
        "节日",
        "清明1.png\n清明2.png",
    ]
    # Wide enough for the Chinese: each character counts two.
    longest = max(cell_width(r[2].value) for r in sheet.iter_rows(min_row=2))
    assert longest == 30  # 四月主题党日：两学一做专题学习, 15 wide characters
    assert sheet.column_dimensions["C"].width == 32
    assert sheet.column_dimensions["A"].width == 6


def test_the_overview_carries_the_report(run: Any, recorded: Path, tmp_path: Path) -> None:
    book = export(run, tmp_path / "台账2018.xlsx", "--lang", "zh")
    data = report(run)
    sheet = book["总览"]
    assert sheet["A1"].value == "2018年文明单位创建工作方案"
    assert sheet["A1"].font.bold
    header = [c.value for c in sheet[5]]
    assert header[:6] == ["领域", "类别", "编号", "任务", "责任人", "截止日期"]
    assert header[10:13] == ["进度", "状态", "佐证不全"]
    assert all(c.font.bold for c in sheet[5])
    assert sheet.freeze_panes == "A6"
    rows = {r[2].value: r for r in sheet.iter_rows(min_row=6) if r[3].value}
    tasks = {t["id"]: t for a in data["areas"] for t in a["tasks"]}
    assert set(rows) == set(tasks)
    assert sheet.auto_filter.ref == f"A5:Q{5 + len(data['areas']) + len(tasks)}"
    for key, task in tasks.items():
        row = rows[key]
        assert row[3].value == task["title"]
        assert row[6].value == task["count"]
        assert row[10].value == pytest.approx(task["progress"], rel=1e-12)
        assert row[10].number_format == "0.0%"
    # Statuses coloured as in the report.
    overdue = rows["annual-goal"][11]
    assert overdue.value == "已逾期"
    assert overdue.fill.fgColor.rgb.endswith(STATUS_COLOURS["overdue"][1])
    assert overdue.font.bold and overdue.font.color.rgb.endswith("9C0006")
    done = rows["work-plan"][11]
    assert done.value == "已完成"
    assert done.fill.fgColor.rgb.endswith("C6EFCE")
    assert rows["work-plan"][16].value == datetime(2018, 3, 20)
    assert rows["annual-goal"][5].value == datetime(2018, 2, 28)
    assert rows["work-meetings"][9].value.startswith("一季度✓")
    assert rows["mobilization-meeting"][12].value == 1  # one activity short of evidence
    # Points are each task's share of 100; the scores add up to the report's.
    total = next(r for r in sheet.iter_rows(min_row=6) if r[0].value == "合计")
    assert total[14].value == 100
    assert total[15].value == pytest.approx(data["score"])
    assert sum(rows[k][15].value for k in tasks) == pytest.approx(data["score"])
    assert sum(rows[k][14].value for k in tasks) == pytest.approx(100)


def comparable(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Everything the sheet carries; attachments by name and content."""
    keys = ("date", "title", "tasks", "people", "who", "hours", "place", "note", "tags")
    return [
        {
            **{k: a[k] for k in keys},
            "attachments": [(f["name"], f["sha256"], f["photo"]) for f in a["attachments"]],
        }
        for a in activities
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_round_trip_into_a_fresh_database(
    run: Any, recorded: Path, tmp_path: Path, lang: str
) -> None:
    extra = run(
        "activity",
        "add",
        "科技活动周科普进社区",
        "--date",
        "2018-05-20",
        "--task",
        "sci-tech-week-events,volunteer-communities",
        "--people",
        "0",
        "--hours",
        "2.75",
        "--who",
        "赵六",
        "--note",
        '第一行\n第二行，含逗号,和引号"',
        "--tag",
        "科普,志愿服务",
        "--attach",
        str(recorded.parent / "植树1.png"),
    )
    assert extra.exit_code == 0, extra.stderr
    original = json.loads(run("activity", "list", "--year", "2018", "--format", "json").stdout)
    # The workbook beside the photos it names, as a colleague would receive them.
    out = recorded.parent / f"导出-{lang}.xlsx"
    export(run, out, "--lang", lang)

    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert run("--db", fresh, "plan", "load", str(Path("plans/2018.yaml").resolve())).exit_code == 0
    imported = run("--db", fresh, "--lang", lang, "activity", "import", str(out))
    assert imported.exit_code == 0, imported.stderr
    copy = json.loads(
        run("--db", fresh, "activity", "list", "--year", "2018", "--format", "json").stdout
    )
    assert len(copy) == 16
    assert comparable(copy) == comparable(original)
    again = run("--db", fresh, "activity", "import", str(out))
    assert "are already recorded" in again.stdout


def test_cell_width_counts_chinese_as_two() -> None:
    assert cell_width("清明节") == 6
    assert cell_width("ip-day 宣传") == 11
    assert cell_width("一行\n较长的第二行") == 12
    assert cell_width(None) == 0
