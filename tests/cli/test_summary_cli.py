"""``wmcj summary`` as cron and people run it: plain mail text, formats, errors."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from wmcj.db import Database

BOX_DRAWING = re.compile("[\u2500-\u257f]")
WMCJ = Path(sys.executable).parent / "wmcj"


def record(db_path: Path, day: str, title: str, *tasks: str) -> None:
    """Insert one activity linked to ``tasks`` straight into the database."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Plan, Task

    database = Database(f"sqlite:///{db_path}")
    when = date.fromisoformat(day)
    with database.write() as session:
        plan = session.exec(select(Plan).where(Plan.year == when.year)).one()
        activity = Activity(plan_id=plan.id, date=when, title=title)
        session.add(activity)
        session.flush()
        for key in tasks:
            task = session.exec(select(Task).where(Task.plan_id == plan.id, Task.key == key)).one()
            session.add(ActivityTask(activity_id=activity.id, task_id=task.id))
    database.close()


@pytest.fixture
def worked(loaded: Path, db_path: Path) -> Path:
    record(db_path, "2018-04-08", "上周日的学习", "speeches-study")
    record(db_path, "2018-04-10", "召开一季度创建工作会议", "work-meetings")
    record(db_path, "2018-04-15", "全民国家安全教育日宣传", "publicity-atmosphere")
    record(db_path, "2018-04-16", "下周一的检查", "hygiene-checks")
    return db_path


def test_text_when_piped_is_plain(run: Any, worked: Path) -> None:
    result = run("summary", "--week", "2018-W15")
    assert result.exit_code == 0 and result.stderr == ""
    text = result.stdout
    assert text.startswith(
        "Weekly summary 2018-W15: 2018-04-09 – 2018-04-15\n"
        + "=" * 48
        + "\n某县科学技术局 — 2018年文明单位创建工作方案\n"
    )
    assert "\x1b" not in text and not BOX_DRAWING.search(text)
    assert (
        "\nActivities this week (2)\n------------------------\n"
        "加强组织领导,提高创建意识 (key work)\n"
        "  - 04-10 Tue  召开一季度创建工作会议  [work-meetings]\n"
    ) in text
    assert "- 04-15 Sun  全民国家安全教育日宣传  [publicity-atmosphere]" in text
    assert "上周日" not in text and "下周一" not in text
    assert "- 04-26 Thu  World Intellectual Property Day  [ip-day-events]" in text


def test_default_week_is_the_last_complete_one(run: Any, worked: Path) -> None:
    on_sunday = run("summary", env={"WMCJ_TODAY": "2018-04-22"})
    assert on_sunday.stdout.startswith("Weekly summary 2018-W15: 2018-04-09 – 2018-04-15")
    as_of = run("summary", "--as-of", "2018-04-16", "--format", "json")
    assert json.loads(as_of.stdout)["week"] == "2018-W15"


def test_json_and_markdown(run: Any, worked: Path) -> None:
    data = json.loads(run("summary", "--week", "2018-W15", "--format", "json").stdout)
    assert (data["year"], data["week"], data["from"], data["to"]) == (
        2018,
        "2018-W15",
        "2018-04-09",
        "2018-04-15",
    )
    assert [(a["date"], a["tasks"]) for a in data["activities"]] == [
        ("2018-04-10", ["work-meetings"]),
        ("2018-04-15", ["publicity-atmosphere"]),
    ]
    assert isinstance(data["progress"], float) and isinstance(data["progress_change"], float)
    markdown = run("--lang", "zh", "summary", "--week", "2018-W15", "--format", "markdown").stdout
    assert markdown.startswith("# 创建工作周报 2018-W15：2018-04-09 至 2018-04-15\n")
    assert "\n## 本周活动（2）\n" in markdown


def test_out_writes_plain_text(run: Any, worked: Path, tmp_path: Path) -> None:
    out = tmp_path / "weekly.txt"
    result = run("summary", "--week", "2018-W15", "--out", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == run("summary", "--week", "2018-W15").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2018-W60"], "error: --week '2018-W60' is not an ISO week; write it as"),
        (["--week", "2019-W10"], "error: no plan for 2019 is loaded (loaded: 2018)"),
        (["--as-of", "yesterday"], "error: --as-of 'yesterday' is not a date"),
        (["--format", "table"], "Invalid value for '--format'"),
    ],
)
def test_bad_input_exits_2(run: Any, worked: Path, args: list[str], message: str) -> None:
    result = run("summary", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_help_shows_an_example(run: Any) -> None:
    assert "Example: wmcj summary --week 2018-W15" in run("summary", "--help").stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rich_on_a_terminal(run: Any, worked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wmcj.reportviews import print_summary
    from wmcj.summary import summary_data

    monkeypatch.setenv("TERM", "xterm-256color")
    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    database = Database(f"sqlite:///{worked}")
    with database.read() as session:
        data = summary_data(session=session, week=date(2018, 4, 9), as_of=date(2018, 5, 1))
    database.close()
    print_summary(data, "text", None)
    assert "\x1b[" in screen.getvalue()
    assert "召开一季度创建工作会议" in screen.getvalue()


@pytest.mark.parametrize("args", [["--week", "2018-W15"], []])
def test_under_cron(worked: Path, args: list[str]) -> None:
    """No terminal, no locale, a bare environment: plain text, exit 0, nothing on stderr."""
    assert WMCJ.exists(), WMCJ
    result = subprocess.run(
        [str(WMCJ), "summary", *args],
        env={"PATH": "/usr/bin:/bin", "WMCJ_DB": str(worked)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    text = result.stdout.decode("utf-8")
    assert "\x1b" not in text and not BOX_DRAWING.search(text)
    if args:
        assert text.startswith("Weekly summary 2018-W15: 2018-04-09 – 2018-04-15\n")
        assert "召开一季度创建工作会议" in text
    else:  # today's last complete week, reported against the latest plan
        assert text.startswith("Weekly summary ")
        assert "2018年文明单位创建工作方案" in text


def test_chosen_week_uses_the_plan_of_its_iso_year(run, write_plan) -> None:
    """2020-W53 runs 2020-12-28 … 2021-01-03: with both plans loaded it is 2020's week."""
    for year in (2020, 2021):
        text = (
            f"version: 1\nyear: {year}\nunit: 单位\ntitle: {year}年方案\nareas:\n"
            "  - id: a\n    title: 领域\n    tasks:\n      - id: t\n        title: 任务\n"
        )
        assert run("plan", "load", str(write_plan(text, f"{year}.yaml"))).exit_code == 0
    result = run("summary", "--week", "2020-W53", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["year"], data["from"], data["to"]) == (2020, "2020-12-28", "2021-01-03")


def test_week_and_as_of_contradict(run, loaded) -> None:
    result = run("summary", "--week", "2018-W15", "--as-of", "2018-04-20")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --week and --as-of both choose the week; give one of them, not both\n"
    )
    assert result.stdout == ""
