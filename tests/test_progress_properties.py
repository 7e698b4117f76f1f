"""Properties of progress that hold for any plan, tallies and as-of day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wmcj.progress import (
    AreaRule,
    Day,
    PlanProgress,
    Tally,
    TaskRule,
    periods_of,
    plan_progress,
)

YEARS = st.integers(2000, 2040)
EVERY = st.sampled_from(["week", "month", "quarter", "half", "year"])
# (year, as_of, areas, tallies by task, done marks by task): plan_progress's arguments.
Scenario = tuple[int, date, list[AreaRule], dict[str, list[Tally]], dict[str, date]]
WEIGHTS = st.one_of(st.sampled_from([0.5, 1.0, 2.0, 3.0]), st.floats(0.01, 100))


def day_in(year: int, slack: int = 0) -> st.SearchStrategy[date]:
    """A date in the year, or up to `slack` days either side of it."""
    return st.dates(
        date(year, 1, 1) - timedelta(days=slack), date(year, 12, 31) + timedelta(days=slack)
    )


@st.composite
def task_rules(draw: st.DrawFn, year: int, key: str, area: str) -> TaskRule:
    kind = draw(st.sampled_from(["plain", "every", "on"]))
    fields: dict[str, object] = {
        "target": draw(st.integers(1, 4)),
        "weight": draw(WEIGHTS),
    }
    if kind == "every":
        bounds = sorted(draw(st.lists(day_in(year), min_size=2, max_size=2)))
        fields["every"] = draw(EVERY)
        fields["start"] = draw(st.sampled_from([None, bounds[0]]))
        fields["due"] = draw(st.sampled_from([None, bounds[1]]))
    else:
        fields["due"] = draw(st.none() | day_in(year))
    if kind == "on":
        days = []
        for index, first in enumerate(draw(st.lists(day_in(year), min_size=1, max_size=5))):
            span = draw(st.sampled_from([0, 0, 1, 7]))
            until = min(first + timedelta(days=span), date(year, 12, 31)) if span else None
            days.append(Day(f"d{index}", f"日{index}", first, until))
        fields["on"] = tuple(days)
        fields["window"] = draw(st.integers(0, 10))
    return TaskRule(key=key, title=key, owner="o", area=area, **fields)  # type: ignore[arg-type]


@st.composite
def tally_lists(draw: st.DrawFn, year: int) -> list[Tally]:
    out = []
    for when in draw(st.lists(day_in(year, slack=10), max_size=12)):
        count = draw(st.integers(0, 3))
        out.append(Tally(when, count, draw(st.integers(0, count))))
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    year = draw(YEARS)
    areas = []
    n = 0
    for a in range(draw(st.integers(1, 3))):
        rules = []
        for _ in range(draw(st.integers(0, 4))):
            rules.append(draw(task_rules(year, f"t{n}", f"a{a}")))
            n += 1
        areas.append(AreaRule(f"a{a}", "key-work", f"区{a}", tuple(rules)))
    keys = [r.key for area in areas for r in area.tasks]
    tallies = {k: draw(tally_lists(year)) for k in keys}
    done = {k: draw(day_in(year, slack=5)) for k in keys if draw(st.booleans())}
    as_of = draw(day_in(year, slack=5))
    return year, as_of, areas, tallies, done


def run(scenario: Scenario) -> PlanProgress:
    return plan_progress(*scenario)


@given(scenarios())
def test_progress_within_bounds(scenario: Scenario) -> None:
    plan = run(scenario)
    assert 0.0 <= plan.progress <= 1.0
    for area in plan.areas:
        assert area.tasks
        assert 0.0 <= area.progress <= 1.0
    for task in plan.tasks():
        assert 0.0 <= task.progress <= 1.0
        assert task.undocumented <= task.count


@given(scenarios())
def test_score_is_weighted_mean_of_task_progress(scenario: Scenario) -> None:
    plan = run(scenario)
    tasks = list(plan.tasks())
    if not tasks:
        assert (plan.progress, plan.score) == (0.0, 0.0)
        return
    weights = sum(t.weight for t in tasks)
    expected = sum(t.weight * t.progress for t in tasks) / weights
    assert plan.score == pytest.approx(100 * expected, rel=1e-9, abs=1e-9)
    for area in plan.areas:
        w = sum(t.weight for t in area.tasks)
        assert area.progress == pytest.approx(
            sum(t.weight * t.progress for t in area.tasks) / w, rel=1e-9, abs=1e-12
        )


@given(scenarios(), st.data())
def test_an_extra_activity_never_lowers_progress(scenario: Scenario, data: st.DataObject) -> None:
    year, as_of, areas, tallies, done = scenario
    keys = list(tallies)
    if not keys:
        return
    key = data.draw(st.sampled_from(keys))
    extra = data.draw(day_in(year, slack=10))
    more = dict(tallies)
    existing = [t for t in tallies[key] if t.date == extra]
    if existing and data.draw(st.booleans()):
        # Increment an existing tally rather than add a new one.
        index = tallies[key].index(existing[0])
        more[key] = list(tallies[key])
        more[key][index] = replace(existing[0], count=existing[0].count + 1)
    else:
        more[key] = [*tallies[key], Tally(extra, 1)]
    before = {t.key: t for t in run(scenario).tasks()}
    after = {t.key: t for t in run((year, as_of, areas, more, done)).tasks()}
    for k, task in after.items():
        assert task.progress >= before[k].progress
        assert task.count >= before[k].count


@given(scenarios())
def test_before_anything_happened_tasks_are_not_started_or_overdue(scenario: Scenario) -> None:
    year, _, areas, tallies, done = scenario
    dates = [t.date for ts in tallies.values() for t in ts] + list(done.values())
    as_of = min(dates, default=date(year, 6, 1)) - timedelta(days=1)
    plan = plan_progress(year, as_of, areas, tallies, done)
    for task in plan.tasks():
        assert task.status in ("not-started", "overdue")
        assert task.count == 0
        assert task.done_on is None


@given(scenarios())
def test_count_never_exceeds_tallied_activities(scenario: Scenario) -> None:
    _, as_of, _, tallies, _ = scenario
    plan = run(scenario)
    for task in plan.tasks():
        assert task.count <= sum(t.count for t in tallies[task.key] if t.date <= as_of)
        for period in task.periods:
            assert period.count <= sum(t.count for t in tallies[task.key] if t.date <= as_of)


@given(scenarios())
def test_status_counts_cover_every_task(scenario: Scenario) -> None:
    plan = run(scenario)
    assert sum(plan.status_counts.values()) == len(list(plan.tasks()))
    assert sum(len(a.tasks) for a in plan.areas) == len(list(plan.tasks()))


@given(scenarios())
def test_done_and_met_mean_full_progress(scenario: Scenario) -> None:
    for task in run(scenario).tasks():
        if task.status in ("done", "met"):
            assert task.progress == 1.0
        else:
            assert task.progress < 1.0


@settings(max_examples=200)
@given(YEARS, EVERY)
def test_periods_partition_the_year_with_unique_labels(year: int, every: str) -> None:
    periods = periods_of(year, every, None, None)  # type: ignore[arg-type]
    assert periods[0][1] == date(year, 1, 1)
    assert periods[-1][2] == date(year, 12, 31)
    for (_, _, last), (_, first, _) in pairwise(periods):
        assert first == last + timedelta(days=1)
    assert len({label for label, _, _ in periods}) == len(periods)
