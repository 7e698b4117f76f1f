"""Progress figures worked out by hand, and each exact edge of the spec."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from wmcj.progress import (
    STATUSES,
    AreaRule,
    Day,
    PlanProgress,
    Tally,
    TaskProgress,
    TaskRule,
    periods_of,
    plan_progress,
    task_progress,
)

Y = 2018


def d(mmdd: str, year: int = Y) -> date:
    month, day = mmdd.split("-")
    return date(year, int(month), int(day))


def tallies(*entries: str | tuple[str, int] | tuple[str, int, int]) -> list[Tally]:
    """'MM-DD' is one activity; ('MM-DD', n) is n; ('MM-DD', n, u) has u undocumented."""
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(Tally(d(entry), 1))
        else:
            out.append(Tally(d(entry[0]), *entry[1:]))
    return out


def rule(key: str, area: str = "a", **fields: object) -> TaskRule:
    return TaskRule(key=key, title=key, owner="局办公室", area=area, **fields)  # type: ignore[arg-type]


QINGMING = Day("qingming", "清明节", d("04-05"))
IP_DAY = Day("ip-day", "世界知识产权日", d("04-26"))
SCI_TECH_WEEK = Day("sci-tech-week", "科技活动周", d("05-19"), d("05-26"))
MID_AUTUMN = Day("mid-autumn", "中秋节", d("09-24"))
NATIONAL_DAY = Day("national-day", "国庆节", d("10-01"))

# The plan: three areas (one of them empty, so not shown), eleven live tasks.
LEADERSHIP = AreaRule(
    "leadership",
    "key-work",
    "加强组织领导，提高创建意识",
    (
        rule("work-plan", "leadership", due=d("03-31"), weight=3),
        rule("meetings", "leadership", every="quarter", target=2),
        rule("regulations", "leadership", target=20, due=d("06-30"), weight=2),
        rule("late-mark", "leadership", target=3),
    ),
)
ACTIVITIES = AreaRule(
    "activities",
    "key-work",
    "丰富活动载体，增强活动实效",
    (
        rule("monthly-study", "activities", every="month", start=d("03-01"), weight=0.5),
        rule("spring-events", "activities", on=(QINGMING, IP_DAY), window=3),
        rule("sci-week", "activities", on=(SCI_TECH_WEEK,), window=2, target=2, weight=2),
        rule("festival-visits", "activities", on=(MID_AUTUMN, NATIONAL_DAY), window=0),
        rule("weekly-patrol", "activities", every="week", start=d("06-06"), due=d("06-20")),
        rule("half-report", "activities", every="half"),
    ),
)
EMPTY = AreaRule("retired-only", "safeguard", "全部已退役", ())
SAFEGUARDS = AreaRule(
    "safeguards", "safeguard", "加强宣传", (rule("publicity", "safeguards", target=2),)
)
AREAS = [LEADERSHIP, ACTIVITIES, EMPTY, SAFEGUARDS]

TALLIES = {
    "work-plan": tallies("03-15"),
    # Q1: 2 (met); Q2: 1 (short once June is over); Q3: 2 (met); Q4: 1 on the second as-of.
    "meetings": tallies("01-10", "03-28", "05-10", ("07-05", 2), "10-08"),
    # 5 (2 undocumented) + 6 + 3 on the first as-of day itself, then 2 + 1 later.
    "regulations": tallies(("02-01", 5, 2), ("04-15", 6), ("05-20", 3), ("05-21", 2), "08-01"),
    "late-mark": tallies("04-01"),
    # 02-20 is before start; then M03, M04, M05 (on 05-25), nothing in June, M07–M09.
    "monthly-study": tallies("02-20", "03-05", "04-10", "05-25", "07-15", "08-15", "09-15"),
    # Windows 04-02..04-08 and 04-23..04-29: 04-02 and 04-29 sit on the edges and count,
    # 04-09 and 04-22 are one day outside.
    "spring-events": tallies("04-02", "04-09", "04-22", "04-29"),
    # Window 05-17..05-28: 05-17 and 05-28 count, 05-16 and 05-29 don't.
    "sci-week": tallies("05-16", "05-17", "05-28", "05-29"),
    # Window 0: only the day itself; 09-23 misses; nothing on 10-01.
    "festival-visits": tallies("09-23", ("09-24", 2)),
    # W23 06-04..06-10, W24 06-11..06-17, W25 06-18..06-24; counting only 06-06..06-20:
    # 06-05 is before start, 06-21 after due.
    "weekly-patrol": tallies("06-05", "06-07", "06-12", "06-21"),
    "half-report": tallies("06-30"),
    "publicity": tallies("10-08"),
}
DONE = {"work-plan": d("03-20"), "late-mark": d("06-15")}

AS_OF_1 = d("05-20")  # inside the science week span
AS_OF_2 = d("10-08")


def by_key(plan: PlanProgress) -> dict[str, TaskProgress]:
    return {task.key: task for task in plan.tasks()}


def outcomes(task: TaskProgress) -> list[tuple[str, int, str]]:
    return [(p.label, p.count, p.outcome) for p in task.periods]


def check(task: TaskProgress, status: str, progress: Fraction | float, count: int) -> None:
    assert (task.status, task.count) == (status, count), task.key
    assert task.progress == pytest.approx(float(progress)), task.key


@pytest.fixture
def first() -> PlanProgress:
    return plan_progress(Y, AS_OF_1, AREAS, TALLIES, DONE)


@pytest.fixture
def second() -> PlanProgress:
    return plan_progress(Y, AS_OF_2, AREAS, TALLIES, DONE)


def test_first_as_of_tasks(first: PlanProgress) -> None:
    t = by_key(first)
    # Marked done 03-20 ≤ 05-20.
    check(t["work-plan"], "done", 1, 1)
    assert t["work-plan"].done_on == d("03-20")
    # Q1 met (2 of 2); Q2 has 1 and is still open; progress 1/4.
    check(t["meetings"], "in-progress", Fraction(1, 4), 3)
    assert outcomes(t["meetings"]) == [
        ("Q1", 2, "met"),
        ("Q2", 1, "open"),
        ("Q3", 0, "open"),
        ("Q4", 0, "open"),
    ]
    # 5 + 6 + 3 = 14 of 20 (the tally on the as-of day counts); due 06-30 not passed.
    check(t["regulations"], "in-progress", Fraction(14, 20), 14)
    assert t["regulations"].undocumented == 2
    # The done mark is dated 06-15, after the as-of day: 1 of 3 from activities.
    check(t["late-mark"], "in-progress", Fraction(1, 3), 1)
    assert t["late-mark"].done_on is None
    # M03..M12 are its 10 periods; M03 and M04 met, M05 open (05-25 is later): 2/10.
    check(t["monthly-study"], "in-progress", Fraction(2, 10), 2)
    assert [p.label for p in t["monthly-study"].periods][:2] == ["M03", "M04"]
    assert outcomes(t["monthly-study"])[:3] == [
        ("M03", 1, "met"),
        ("M04", 1, "met"),
        ("M05", 0, "open"),
    ]
    # Both windows met on their edges; nobody marked it done.
    check(t["spring-events"], "met", 1, 2)
    assert outcomes(t["spring-events"]) == [("qingming", 1, "met"), ("ip-day", 1, "met")]
    assert t["spring-events"].periods[0].name == "清明节"
    assert (t["spring-events"].periods[0].first, t["spring-events"].periods[0].last) == (
        d("04-02"),
        d("04-08"),
    )
    # Only 05-17 so far; 1 < 2 and the window runs to 05-28: open.
    check(t["sci-week"], "in-progress", 0, 1)
    assert outcomes(t["sci-week"]) == [("sci-tech-week", 1, "open")]
    check(t["festival-visits"], "not-started", 0, 0)
    check(t["weekly-patrol"], "not-started", 0, 0)
    assert [(p.label, p.first, p.last) for p in t["weekly-patrol"].periods] == [
        ("W23", d("06-04"), d("06-10")),
        ("W24", d("06-11"), d("06-17")),
        ("W25", d("06-18"), d("06-24")),
    ]
    # 06-30 is after the as-of day.
    check(t["half-report"], "not-started", 0, 0)
    check(t["publicity"], "not-started", 0, 0)


def test_first_as_of_areas_and_score(first: PlanProgress) -> None:
    assert [a.key for a in first.areas] == ["leadership", "activities", "safeguards"]
    leadership, activities, safeguards = first.areas
    # (3·1 + 1·1/4 + 2·7/10 + 1·1/3) / 7 = (299/60) / 7 = 299/420
    assert leadership.progress == pytest.approx(299 / 420)
    # (0.5·2/10 + 1·1 + 2·0 + 0 + 0 + 0) / 6.5 = 1.1 / 6.5 = 11/65
    assert activities.progress == pytest.approx(11 / 65)
    assert safeguards.progress == 0.0
    # (299/60 + 11/10 + 0) / 14.5 = (73/12) / (29/2) = 73/174 — not the mean of the areas.
    assert first.progress == pytest.approx(73 / 174)
    assert first.score == pytest.approx(7300 / 174)
    assert first.status_counts == {
        "done": 1,
        "met": 1,
        "overdue": 0,
        "in-progress": 5,
        "not-started": 4,
    }
    assert list(first.status_counts) == list(STATUSES)


def test_second_as_of_tasks(second: PlanProgress) -> None:
    t = by_key(second)
    check(t["work-plan"], "done", 1, 1)
    # Q2 ended 06-30 with 1 of 2: short, so overdue although Q3 is met; Q4 has 1, open.
    check(t["meetings"], "overdue", Fraction(2, 4), 6)
    assert outcomes(t["meetings"]) == [
        ("Q1", 2, "met"),
        ("Q2", 1, "short"),
        ("Q3", 2, "met"),
        ("Q4", 1, "open"),
    ]
    # 5 + 6 + 3 + 2 + 1 = 17 of 20 (08-01 is after due but still counts); due has passed.
    check(t["regulations"], "overdue", Fraction(17, 20), 17)
    check(t["late-mark"], "done", 1, 1)
    assert t["late-mark"].done_on == d("06-15")
    # M03, M04, M05, M07, M08, M09 met; M06 short; M10 (still open), M11, M12 open: 6/10.
    check(t["monthly-study"], "overdue", Fraction(6, 10), 6)
    assert outcomes(t["monthly-study"])[3] == ("M06", 0, "short")
    assert outcomes(t["monthly-study"])[7] == ("M10", 0, "open")
    check(t["spring-events"], "met", 1, 2)
    check(t["sci-week"], "met", 1, 2)
    # Mid-autumn has 2 on the day; national day (window 0) ended 10-01 with none.
    check(t["festival-visits"], "overdue", Fraction(1, 2), 2)
    assert outcomes(t["festival-visits"]) == [
        ("mid-autumn", 2, "met"),
        ("national-day", 0, "short"),
    ]
    # W23 and W24 met; W25's only activity (06-21) is after due: short. 2/3.
    check(t["weekly-patrol"], "overdue", Fraction(2, 3), 2)
    assert outcomes(t["weekly-patrol"]) == [
        ("W23", 1, "met"),
        ("W24", 1, "met"),
        ("W25", 0, "short"),
    ]
    assert t["weekly-patrol"].due == d("06-20")
    # H1 met on its last day; H2 open.
    check(t["half-report"], "in-progress", Fraction(1, 2), 1)
    assert outcomes(t["half-report"]) == [("H1", 1, "met"), ("H2", 0, "open")]
    assert t["half-report"].due == d("12-31")
    # One of two, on the as-of day.
    check(t["publicity"], "in-progress", Fraction(1, 2), 1)
    assert t["publicity"].due is None


def test_second_as_of_areas_and_score(second: PlanProgress) -> None:
    leadership, activities, safeguards = second.areas
    # (3·1 + 1·1/2 + 2·17/20 + 1·1) / 7 = 6.2 / 7 = 31/35
    assert leadership.progress == pytest.approx(31 / 35)
    # (0.5·6/10 + 1 + 2·1 + 1·1/2 + 1·2/3 + 1·1/2) / 6.5 = (149/30) / (13/2) = 149/195
    assert activities.progress == pytest.approx(149 / 195)
    assert safeguards.progress == pytest.approx(0.5)
    # (31/5 + 149/30 + 1/2) / 14.5 = (35/3) / (29/2) = 70/87
    assert second.progress == pytest.approx(70 / 87)
    assert second.score == pytest.approx(7000 / 87)
    assert second.status_counts == {
        "done": 2,
        "met": 2,
        "overdue": 5,
        "in-progress": 2,
        "not-started": 0,
    }


# Exact edges.


def test_period_is_open_on_its_last_day_and_short_the_day_after() -> None:
    r = rule("m", every="month")
    on_last = task_progress(r, Y, [], None, d("01-31"))
    assert on_last.periods[0].outcome == "open"
    assert on_last.status == "not-started"
    after = task_progress(r, Y, [], None, d("02-01"))
    assert after.periods[0].outcome == "short"
    assert after.status == "overdue"


def test_window_is_open_on_its_last_day() -> None:
    r = rule("f", on=(QINGMING,), window=3)
    assert task_progress(r, Y, [], None, d("04-08")).status == "not-started"
    assert task_progress(r, Y, [], None, d("04-09")).status == "overdue"


def test_due_on_the_as_of_day_is_not_overdue() -> None:
    r = rule("p", target=2, due=d("03-31"))
    one = tallies("03-01")
    assert task_progress(r, Y, one, None, d("03-31")).status == "in-progress"
    assert task_progress(r, Y, one, None, d("04-01")).status == "overdue"
    assert task_progress(r, Y, [], None, d("04-01")).status == "overdue"


def test_every_task_overdue_after_its_own_due() -> None:
    r = rule("w", every="year", due=d("06-30"))
    assert task_progress(r, Y, tallies("07-01"), None, d("07-01")).status == "overdue"
    assert task_progress(r, Y, [], None, d("06-30")).status == "not-started"


def test_week_across_new_year_is_clipped_and_labelled_by_its_iso_year() -> None:
    weeks_2021 = periods_of(2021, "week", None, None)
    assert weeks_2021[0] == ("2020-W53", date(2021, 1, 1), date(2021, 1, 3))
    assert weeks_2021[1] == ("W01", date(2021, 1, 4), date(2021, 1, 10))
    assert weeks_2021[-1] == ("W52", date(2021, 12, 27), date(2021, 12, 31))
    weeks_2024 = periods_of(2024, "week", None, None)
    assert weeks_2024[0] == ("W01", date(2024, 1, 1), date(2024, 1, 7))
    assert weeks_2024[-1] == ("2025-W01", date(2024, 12, 30), date(2024, 12, 31))
    assert len({label for label, _, _ in weeks_2024}) == len(weeks_2024)


def test_clipped_week_counts_only_days_in_the_year() -> None:
    r = rule("w", every="week")
    got = task_progress(r, 2021, [Tally(date(2020, 12, 31), 1)], None, date(2021, 1, 2))
    assert got.count == 0
    assert got.periods[0].count == 0


def test_other_periods_and_labels() -> None:
    assert [p[0] for p in periods_of(Y, "month", None, None)] == [f"M{m:02d}" for m in range(1, 13)]
    assert periods_of(Y, "quarter", None, None)[1] == ("Q2", d("04-01"), d("06-30"))
    assert periods_of(Y, "half", None, None) == [
        ("H1", d("01-01"), d("06-30")),
        ("H2", d("07-01"), d("12-31")),
    ]
    assert periods_of(Y, "year", None, None) == [("Y", d("01-01"), d("12-31"))]
    # Periods overlapping start…due keep their calendar bounds.
    assert periods_of(Y, "quarter", d("02-15"), d("04-01")) == [
        ("Q1", d("01-01"), d("03-31")),
        ("Q2", d("04-01"), d("06-30")),
    ]
    assert periods_of(2020, "month", None, None)[1] == ("M02", date(2020, 2, 1), date(2020, 2, 29))


def test_window_boundaries() -> None:
    r = rule("s", on=(SCI_TECH_WEEK,), window=2)
    as_of = d("12-31")
    for edge in ("05-17", "05-28"):
        assert task_progress(r, Y, tallies(edge), None, as_of).count == 1, edge
    for outside in ("05-16", "05-29"):
        got = task_progress(r, Y, tallies(outside), None, as_of)
        assert (got.count, got.status) == (0, "overdue"), outside


def test_window_clipped_to_the_year() -> None:
    new_year = Day("new-year", "元旦", d("01-01"))
    r = rule("n", on=(new_year,), window=7)
    got = task_progress(r, Y, [Tally(date(2017, 12, 30), 1)], None, d("12-31"))
    assert (got.periods[0].first, got.periods[0].last) == (d("01-01"), d("01-08"))
    assert got.count == 0


def test_activity_in_overlapping_windows_counts_for_both_days_once_in_count() -> None:
    r = rule("o", on=(QINGMING, Day("04-08", "04-08", d("04-08"))), window=3)
    got = task_progress(r, Y, tallies(("04-06", 1, 1)), None, d("12-31"))
    assert [p.outcome for p in got.periods] == ["met", "met"]
    assert (got.count, got.undocumented, got.progress, got.status) == (1, 1, 1.0, "met")


def test_short_past_period_keeps_task_overdue() -> None:
    r = rule("q", every="quarter")
    got = task_progress(r, Y, tallies("05-01", "08-01", "11-01"), None, d("12-31"))
    assert [p.outcome for p in got.periods] == ["short", "met", "met", "met"]
    assert got.progress == pytest.approx(3 / 4)
    assert got.status == "overdue"


def test_done_mark_after_as_of_is_ignored() -> None:
    r = rule("p", target=2)
    before = task_progress(r, Y, tallies("03-01"), d("06-01"), d("05-31"))
    assert (before.status, before.progress, before.done_on) == ("in-progress", 0.5, None)
    on_day = task_progress(r, Y, tallies("03-01"), d("06-01"), d("06-01"))
    assert (on_day.status, on_day.progress, on_day.done_on) == ("done", 1.0, d("06-01"))
    assert on_day.count == 1


def test_met_versus_done() -> None:
    r = rule("p", target=2)
    two = tallies("03-01", "03-02")
    assert task_progress(r, Y, two, None, d("12-31")).status == "met"
    assert task_progress(r, Y, two, d("03-03"), d("12-31")).status == "done"
    # A done mark beats overdue too.
    late = rule("l", due=d("01-31"))
    assert task_progress(late, Y, [], d("02-10"), d("12-31")).status == "done"


def test_every_task_activities_before_start_do_not_count() -> None:
    r = rule("m", every="month", start=d("03-01"))
    got = task_progress(r, Y, tallies("02-28", ("03-01", 1, 1)), None, d("03-15"))
    assert got.count == 1
    assert got.undocumented == 1
    assert got.periods[0].label == "M03"
    # Start in mid-period: the period keeps its calendar bounds but counts from start.
    mid = rule("m", every="month", start=d("03-10"))
    got = task_progress(mid, Y, tallies("03-05"), None, d("03-15"))
    assert (got.periods[0].first, got.periods[0].count, got.count) == (d("03-01"), 0, 0)


def test_tallies_after_as_of_do_not_count() -> None:
    got = task_progress(rule("p"), Y, tallies("03-02"), None, d("03-01"))
    assert (got.count, got.status) == (0, "not-started")


def test_plain_task_counts_tallies_outside_the_year() -> None:
    got = task_progress(rule("p", target=2), Y, [Tally(date(2017, 12, 1), 1)], None, d("01-05"))
    assert got.count == 1


def test_json_due_of_every_task_is_year_end() -> None:
    assert task_progress(rule("e", every="week"), Y, [], None, d("01-01")).due == d("12-31")
    assert task_progress(rule("e", every="week", due=d("06-30")), Y, [], None, d("01-01")).due == d(
        "06-30"
    )
    assert task_progress(rule("o", on=(QINGMING,)), Y, [], None, d("01-01")).due is None
    assert task_progress(rule("p"), Y, [], None, d("01-01")).due is None


def test_no_tasks_means_zero_progress() -> None:
    plan = plan_progress(Y, d("06-01"), [EMPTY], {}, {})
    assert (plan.progress, plan.score, plan.areas) == (0.0, 0.0, ())
    assert plan.status_counts == dict.fromkeys(STATUSES, 0)
