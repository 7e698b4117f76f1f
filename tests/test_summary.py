"""The weekly summary: exactly one ISO week's work, everything as of its Sunday."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import back_evidence
from wmcj.db import Database
from wmcj.errors import InputError, NotFound
from wmcj.i18n import set_language
from wmcj.render import to_json
from wmcj.reportviews import summary_markdown, summary_plain
from wmcj.summary import last_complete_week, parse_week, summary_data, week_label
from wmcj.tracking import plan_status

W15 = date(2018, 4, 9)  # Monday of 2018-W15; its Sunday is 04-15


def record(db: Database, day: str, title: str, *tasks: str, photos: int = 0) -> int:
    """Insert one activity linked to ``tasks`` straight into the database."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Plan, Task

    when = date.fromisoformat(day)
    with db.write() as session:
        plan = session.exec(select(Plan).where(Plan.year == when.year)).one()
        activity = Activity(plan_id=plan.id, date=when, title=title, photos=photos)
        session.add(activity)
        session.flush()
        back_evidence(session, activity)
        for key in tasks:
            task = session.exec(select(Task).where(Task.plan_id == plan.id, Task.key == key)).one()
            session.add(ActivityTask(activity_id=activity.id, task_id=task.id))
        assert activity.id is not None
        return activity.id


def mark_done(db: Database, key: str, day: str, note: str | None = None) -> None:
    from sqlmodel import select

    from wmcj.models import Completion, Task

    with db.write() as session:
        task = session.exec(select(Task).where(Task.key == key)).one()
        session.add(Completion(task_id=task.id, date=date.fromisoformat(day), note=note))


@pytest.fixture
def db(loaded: Path, db_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{db_path}")
    yield database
    database.close()


@pytest.fixture
def week(db: Database) -> dict[str, int]:
    """Activities and done marks on W15 and on the days either side of it."""
    ids = {
        "sunday-before": record(db, "2018-04-08", "上周日的学习", "speeches-study"),
        "monday": record(db, "2018-04-09", "召开一季度创建工作会议", "work-meetings"),
        "wednesday": record(
            db,
            "2018-04-11",
            "走访企业宣讲科技政策",
            "hi-tech-cultivation",
            "policy-publicity",
            "ip-creation",
        ),
        "two-areas": record(
            db,
            "2018-04-13",
            "清明主题党日暨志愿服务",
            "two-study-one-do",
            "volunteer-communities",
            photos=2,
        ),
        "sunday": record(
            db, "2018-04-15", "全民国家安全教育日宣传", "publicity-atmosphere", photos=1
        ),
        "monday-after": record(db, "2018-04-16", "下周一的检查", "hygiene-checks"),
    }
    mark_done(db, "work-plan", "2018-04-08")
    mark_done(db, "annual-goal", "2018-04-09", note="已纳入年度目标")
    mark_done(db, "integrity-pledges", "2018-04-15")
    mark_done(db, "hygiene-rules", "2018-04-16")
    return ids


def summary(
    db: Database, week: date | None = W15, as_of: date = date(2018, 5, 1)
) -> dict[str, Any]:
    with db.read() as session:
        return summary_data(session=session, week=week, as_of=as_of)


def test_the_week_lists_exactly_its_activities_and_done_marks(
    db: Database, week: dict[str, int]
) -> None:
    data = summary(db)
    assert (data["week"], data["from"], data["to"]) == ("2018-W15", W15, date(2018, 4, 15))
    assert [a["id"] for a in data["activities"]] == [
        week["monday"],
        week["wednesday"],
        week["two-areas"],
        week["sunday"],
    ]
    assert data["activities"][1] == {
        "id": week["wednesday"],
        "date": date(2018, 4, 11),
        "title": "走访企业宣讲科技政策",
        "tasks": ["hi-tech-cultivation", "ip-creation", "policy-publicity"],
        "areas": ["service-capacity"],
    }
    assert [(d["id"], d["date"]) for d in data["done"]] == [
        ("annual-goal", date(2018, 4, 9)),
        ("integrity-pledges", date(2018, 4, 15)),
    ]
    assert data["done"][0]["note"] == "已纳入年度目标"


def test_activities_are_grouped_by_area_and_shown_under_each_of_theirs(
    db: Database, week: dict[str, int]
) -> None:
    groups = [(g["id"], g["activities"]) for g in summary(db)["areas"]]
    assert groups == [
        ("leadership", [week["monday"]]),
        ("self-building", [week["two-areas"]]),
        ("service-capacity", [week["wednesday"]]),
        ("activities", [week["two-areas"]]),
        ("mobilization", [week["sunday"]]),  # safeguards after key work
    ]


def test_progress_and_its_change_come_from_the_two_sundays(
    db: Database, week: dict[str, int]
) -> None:
    data = summary(db)
    with db.read() as session:
        now = plan_status(session=session, year=2018, as_of=date(2018, 4, 15)).progress
        before = plan_status(session=session, year=2018, as_of=date(2018, 4, 8)).progress
    assert data["progress"] == now.progress
    assert data["progress_change"] == now.progress - before.progress
    assert data["status_counts"] == now.status_counts
    # By hand, weight × progress gained in the week, over the plan's total weight of 80:
    gained = (
        1
        + 2  # annual-goal and integrity-pledges marked done
        + 2 * 1 / 4  # work-meetings: Q2 met
        + 1 / 4
        + 1 / 4
        + 1 / 2  # hi-tech-cultivation Q2, policy-publicity Q2, ip-creation H1
        + 2 * 1 / 12  # two-study-one-do: April met
        + 1 / 4
        + 1 / 4  # volunteer-communities Q2, publicity-atmosphere Q2
    )
    assert data["progress_change"] == pytest.approx(gained / 80)


def test_overdue_is_as_of_the_sunday_and_upcoming_the_14_days_after(
    db: Database, week: dict[str, int]
) -> None:
    data = summary(db)
    overdue = {e["id"]: e for e in data["overdue"]}
    assert "work-plan" not in overdue  # done on 04-08
    assert "hygiene-rules" in overdue  # due 03-31, marked done only on 04-16
    assert "annual-goal" not in overdue and "integrity-pledges" not in overdue
    assert [p["label"] for p in overdue["speeches-study"]["short"]] == ["M01", "M02", "M03"]
    # 04-16 … 04-29: the 世界知识产权日; rules-study's deadline (04-30) is a day too late.
    assert [(e["date"], e["what"]) for e in data["upcoming"]] == [(date(2018, 4, 26), "ip-day")]
    with db.read() as session:
        status = plan_status(session=session, year=2018, as_of=date(2018, 4, 15))
    assert list(overdue) == [t.key for t in status.progress.tasks() if t.status == "overdue"]


def test_json_has_the_keys_the_cli_spec_promises(db: Database, week: dict[str, int]) -> None:
    data = json.loads(to_json(summary(db)))
    for key in (
        "year",
        "week",
        "from",
        "to",
        "activities",
        "done",
        "overdue",
        "upcoming",
        "progress",
        "progress_change",
    ):
        assert key in data
    assert (data["year"], data["from"], data["to"]) == (2018, "2018-04-09", "2018-04-15")
    assert set(data["activities"][0]) >= {"id", "date", "title", "tasks"}
    assert data["done"][0] == {
        "id": "annual-goal",
        "title": "将文明机关创建纳入全年工作目标",
        "area": "leadership",
        "date": "2018-04-09",
        "note": "已纳入年度目标",
    }
    assert set(data["overdue"][0]) >= {"id", "due"}
    assert data["upcoming"][0] == {
        "date": "2018-04-26",
        "until": None,
        "what": "ip-day",
        "name": "世界知识产权日",
        "tasks": ["ip-day-events"],
    }


@pytest.mark.parametrize(
    ("as_of", "monday"),
    [
        (date(2018, 4, 16), W15),  # a Monday: last week was complete yesterday
        (date(2018, 4, 22), W15),  # a Sunday: its own week is not complete yet
        (date(2018, 4, 18), W15),
        (date(2018, 4, 15), date(2018, 4, 2)),
        (date(2019, 1, 2), date(2018, 12, 24)),
    ],
)
def test_default_week_is_the_last_complete_one_before_the_day(as_of: date, monday: date) -> None:
    assert last_complete_week(as_of) == monday


@given(st.dates(min_value=date(1902, 1, 1), max_value=date(2098, 12, 31)))
def test_last_complete_week_ends_in_the_seven_days_before(day: date) -> None:
    monday = last_complete_week(day)
    sunday = monday + timedelta(days=6)
    assert monday.weekday() == 0
    assert 1 <= (day - sunday).days <= 7
    assert parse_week(week_label(monday)) == monday


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2018-W15", W15),
        ("2018w15", W15),
        (" 2018-W01 ", date(2018, 1, 1)),
        ("2019-W01", date(2018, 12, 31)),
        ("2020-W53", date(2020, 12, 28)),
    ],
)
def test_parse_week(text: str, monday: date) -> None:
    assert parse_week(text) == monday


@pytest.mark.parametrize(
    "text", ["2018-W54", "2018-W00", "2019-W53", "2018-15", "W15", "2018-04-09"]
)
def test_parse_week_refuses_what_is_not_an_iso_week(text: str) -> None:
    with pytest.raises(InputError, match=re.escape(f"--week '{text}' is not an ISO week")):
        parse_week(text)


def test_a_week_across_new_year_without_next_years_plan_uses_this_years(db: Database) -> None:
    record(db, "2018-12-31", "年终总结会", "annual-summary")
    data = summary(db, week=date(2018, 12, 31))  # 2019-W01: 12-31 … 01-06
    assert (data["year"], data["week"], data["to"]) == (2018, "2019-W01", date(2019, 1, 6))
    assert [a["title"] for a in data["activities"]] == ["年终总结会"]


def test_a_chosen_week_of_a_year_without_a_plan_is_an_error(db: Database) -> None:
    with pytest.raises(NotFound, match=r"no plan for 2020 is loaded \(loaded: 2018\)"):
        summary(db, week=date(2020, 3, 2))


def test_the_default_week_falls_back_to_the_latest_plan(db: Database) -> None:
    data = summary(db, week=None, as_of=date(2021, 3, 3))
    assert (data["year"], data["week"]) == (2018, "2021-W08")
    assert data["activities"] == [] and data["upcoming"] == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plain_text_is_mail_ready(db: Database, week: dict[str, int], lang: str) -> None:
    set_language(lang)
    text = summary_plain(summary(db))
    assert "2018-04-09" in text and "2018-04-15" in text
    assert "\x1b" not in text
    assert not re.search("[\u2500-\u257f]", text)
    assert "- 04-11 " in text and "走访企业宣讲科技政策" in text
    assert "上周日的学习" not in text and "下周一的检查" not in text
    # The activity of two areas is listed twice, once under each.
    assert text.count("清明主题党日暨志愿服务") == 2
    if lang == "zh":
        assert "本周活动（4）" in text and "04-13 周五" in text
        assert "截至 2018-04-15 总体进度：" in text
    else:
        assert "Activities this week (4)" in text and "04-13 Fri" in text


def test_markdown_has_headings_and_bullets(db: Database, week: dict[str, int]) -> None:
    set_language("en")
    text = summary_markdown(summary(db))
    assert text.startswith("# Weekly summary 2018-W15: 2018-04-09 – 2018-04-15\n\n")
    assert (
        "\n## Activities this week (4)\n\n### 加强组织领导,提高创建意识 (key work)\n\n- 04-09 Mon"
        in text
    )
    assert "\n## Marked done this week (2)\n\n- 04-09 Mon  annual-goal" in text
    assert "\n\n\n" not in text
