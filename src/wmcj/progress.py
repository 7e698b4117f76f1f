"""Where every task, area and the plan stands as of a day, computed from activity tallies."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from math import fsum
from typing import Literal

from wmcj.namedays import NamedDay as Day

Status = Literal["done", "met", "overdue", "in-progress", "not-started"]
STATUSES: tuple[Status, ...] = ("done", "met", "overdue", "in-progress", "not-started")
Every = Literal["week", "month", "quarter", "half", "year"]
Outcome = Literal["met", "short", "open"]


@dataclass(frozen=True, slots=True)
class TaskRule:
    """What progress needs to know of a live task; the plan loader has validated it."""

    key: str
    title: str
    owner: str
    area: str
    target: int = 1
    weight: float = 1.0
    due: date | None = None
    every: Every | None = None
    start: date | None = None
    on: tuple[Day, ...] = ()
    window: int = 7


@dataclass(frozen=True, slots=True)
class Tally:
    """A task's linked activities on one date, as the database aggregates them."""

    date: date
    count: int
    undocumented: int = 0


@dataclass(frozen=True, slots=True)
class Period:
    """A period of an `every` task, or the window of an `on` day, with its outcome."""

    label: str
    first: date
    last: date
    count: int
    target: int
    outcome: Outcome
    name: str = ""


@dataclass(frozen=True, slots=True)
class TaskProgress:
    """Where one task stands as of a day."""

    key: str
    title: str
    owner: str
    area: str
    weight: float
    target: int
    due: date | None
    count: int
    progress: float
    status: Status
    periods: tuple[Period, ...]
    undocumented: int
    done_on: date | None


@dataclass(frozen=True, slots=True)
class AreaRule:
    """An area with its live tasks, in plan order."""

    key: str
    kind: str
    title: str
    tasks: tuple[TaskRule, ...]


@dataclass(frozen=True, slots=True)
class AreaProgress:
    """Where one area stands: the weight-averaged progress of its tasks."""

    key: str
    kind: str
    title: str
    progress: float
    tasks: tuple[TaskProgress, ...]


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """Where the whole plan stands; `score` is 100 × `progress`, unrounded."""

    year: int
    as_of: date
    progress: float
    score: float
    status_counts: dict[Status, int]
    areas: tuple[AreaProgress, ...]

    def tasks(self) -> Iterator[TaskProgress]:
        """Every task of every area, in plan order."""
        for area in self.areas:
            yield from area.tasks


class _Ledger:
    """Prefix sums over a task's tallies, so any date range sums in O(log n)."""

    __slots__ = ("_counts", "_dates", "_undocumented")

    def __init__(self, tallies: Iterable[Tally], as_of: date) -> None:
        by_date: dict[date, tuple[int, int]] = {}
        for tally in tallies:
            if tally.date <= as_of:
                count, undocumented = by_date.get(tally.date, (0, 0))
                by_date[tally.date] = (count + tally.count, undocumented + tally.undocumented)
        self._dates = sorted(by_date)
        self._counts = [0]
        self._undocumented = [0]
        for day in self._dates:
            count, undocumented = by_date[day]
            self._counts.append(self._counts[-1] + count)
            self._undocumented.append(self._undocumented[-1] + undocumented)

    def total(self, first: date | None = None, last: date | None = None) -> tuple[int, int]:
        """(count, undocumented) of the tallies dated first…last, both ends included."""
        lo = 0 if first is None else bisect_left(self._dates, first)
        hi = len(self._dates) if last is None else bisect_right(self._dates, last)
        if hi <= lo:
            return 0, 0
        return (
            self._counts[hi] - self._counts[lo],
            self._undocumented[hi] - self._undocumented[lo],
        )


def _month_span(year: int, month: int, months: int) -> tuple[date, date]:
    """First and last day of the `months` months starting at `month`."""
    first = date(year, month, 1)
    end = date(year + 1, 1, 1) if month + months > 12 else date(year, month + months, 1)
    return first, date.fromordinal(end.toordinal() - 1)


def _calendar_periods(year: int, every: Every) -> list[tuple[str, date, date]]:
    """All periods of the plan year, clipped to it, in order."""
    if every == "year":
        return [("Y", date(year, 1, 1), date(year, 12, 31))]
    if every in ("month", "quarter", "half"):
        months = {"month": 1, "quarter": 3, "half": 6}[every]
        prefix = {"month": "M", "quarter": "Q", "half": "H"}[every]
        periods = []
        for index, month in enumerate(range(1, 13, months), start=1):
            label = f"M{index:02d}" if every == "month" else f"{prefix}{index}"
            periods.append((label, *_month_span(year, month, months)))
        return periods
    # ISO weeks, Monday to Sunday; the first and last are cut at New Year. A cut week that
    # belongs to the neighbouring ISO year keeps that year in its label so labels stay unique.
    jan1, dec31 = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    monday = jan1 - date(year, 1, 1).weekday()
    weeks = []
    while monday <= dec31:
        first, last = date.fromordinal(max(monday, jan1)), date.fromordinal(min(monday + 6, dec31))
        iso_year, week, _ = first.isocalendar()
        label = f"W{week:02d}" if iso_year == year else f"{iso_year}-W{week:02d}"
        weeks.append((label, first, last))
        monday += 7
    return weeks


def periods_of(
    year: int, every: Every, start: date | None, due: date | None
) -> list[tuple[str, date, date]]:
    """The year's periods that overlap start…due, with calendar bounds clipped to the year."""
    first = start if start is not None else date(year, 1, 1)
    last = due if due is not None else date(year, 12, 31)
    return [p for p in _calendar_periods(year, every) if p[1] <= last and p[2] >= first]


def _outcome(count: int, target: int, last: date, as_of: date) -> Outcome:
    # A period ended only once its last day is before the as-of day.
    if count >= target:
        return "met"
    return "short" if last < as_of else "open"


def _merged(spans: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Overlapping or touching spans joined, so an activity in several counts once."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted(spans):
        if merged and first.toordinal() <= merged[-1][1].toordinal() + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def _every_periods(
    rule: TaskRule, every: Every, year: int, ledger: _Ledger, as_of: date
) -> tuple[tuple[Period, ...], int, int]:
    """Periods of an `every` task; only activities within start…due (in the year) count."""
    counts_from, counts_to = _every_span(rule, year)
    periods = []
    for label, first, last in periods_of(year, every, rule.start, rule.due):
        count, _ = ledger.total(max(first, counts_from), min(last, counts_to))
        outcome = _outcome(count, rule.target, last, as_of)
        periods.append(Period(label, first, last, count, rule.target, outcome))
    if counts_from > counts_to:
        return tuple(periods), 0, 0
    count, undocumented = ledger.total(counts_from, counts_to)
    return tuple(periods), count, undocumented


def _every_span(rule: TaskRule, year: int) -> tuple[date, date]:
    """The days an `every` task counts activities on: start…due, within the year."""
    return (
        max(rule.start or date(year, 1, 1), date(year, 1, 1)),
        min(rule.due or date(year, 12, 31), date(year, 12, 31)),
    )


def _window(rule: TaskRule, day: Day, year: int) -> tuple[date, date]:
    """A named day's window, clipped to the year (may be empty: first > last)."""
    jan1, dec31 = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    # Ordinals, not timedelta, so a huge window clips instead of overflowing.
    first = date.fromordinal(max(day.date.toordinal() - rule.window, jan1))
    last = date.fromordinal(min(day.last.toordinal() + rule.window, dec31))
    return first, last


def counts_on(rule: TaskRule, year: int, day: date) -> bool:
    """Whether an activity dated ``day`` can count for the task (as ``count`` counts)."""
    if rule.every is not None:
        first, last = _every_span(rule, year)
        return first <= day <= last
    if rule.on:
        return any(
            first <= day <= last for first, last in (_window(rule, d, year) for d in rule.on)
        )
    return True


def _on_periods(
    rule: TaskRule, year: int, ledger: _Ledger, as_of: date
) -> tuple[tuple[Period, ...], int, int]:
    """Windows of an `on` task's days, clipped to the year; overlapping windows share."""
    periods = []
    spans = []
    for day in rule.on:
        first, last = _window(rule, day, year)
        count = ledger.total(first, last)[0] if first <= last else 0
        outcome = _outcome(count, rule.target, last, as_of)
        periods.append(Period(day.key, first, last, count, rule.target, outcome, day.name))
        if first <= last:
            spans.append((first, last))
    count = undocumented = 0
    for first, last in _merged(spans):
        span_count, span_undocumented = ledger.total(first, last)
        count += span_count
        undocumented += span_undocumented
    return tuple(periods), count, undocumented


def task_progress(
    rule: TaskRule, year: int, tallies: Iterable[Tally], done_on: date | None, as_of: date
) -> TaskProgress:
    """Count, progress, status and periods of one task as of a day."""
    ledger = _Ledger(tallies, as_of)
    periods: tuple[Period, ...] = ()
    due = rule.due
    if rule.every is not None:
        periods, count, undocumented = _every_periods(rule, rule.every, year, ledger, as_of)
        if due is None:
            due = date(year, 12, 31)
    elif rule.on:
        periods, count, undocumented = _on_periods(rule, year, ledger, as_of)
    else:
        count, undocumented = ledger.total()

    if rule.every is not None or rule.on:
        met = sum(1 for period in periods if period.outcome == "met")
        progress = met / len(periods) if periods else 0.0
        complete = bool(periods) and met == len(periods)
    else:
        progress = min(count, rule.target) / rule.target
        complete = count >= rule.target

    marked = done_on if done_on is not None and done_on <= as_of else None
    status: Status
    if marked is not None:
        status, progress = "done", 1.0
    elif complete:
        status = "met"
    elif (due is not None and due < as_of) or any(p.outcome == "short" for p in periods):
        status = "overdue"
    elif count >= 1:
        status = "in-progress"
    else:
        status = "not-started"

    return TaskProgress(
        key=rule.key,
        title=rule.title,
        owner=rule.owner,
        area=rule.area,
        weight=rule.weight,
        target=rule.target,
        due=due,
        count=count,
        progress=progress,
        status=status,
        periods=periods,
        undocumented=undocumented,
        done_on=marked,
    )


def weighted_progress(tasks: Iterable[TaskProgress]) -> float:
    """Σ(weight × progress) / Σ weight; 0.0 with no tasks. fsum keeps it order-independent."""
    tasks = list(tasks)
    total = fsum(task.weight for task in tasks)
    if not tasks or total <= 0:
        return 0.0
    return fsum(task.weight * task.progress for task in tasks) / total


def plan_progress(
    year: int,
    as_of: date,
    areas: Sequence[AreaRule],
    tallies: Mapping[str, Sequence[Tally]],
    done: Mapping[str, date],
) -> PlanProgress:
    """Progress of every live task, of each area that has any, and of the whole plan."""
    area_results = []
    for area in areas:
        if not area.tasks:
            continue
        tasks = tuple(
            task_progress(rule, year, tallies.get(rule.key, ()), done.get(rule.key), as_of)
            for rule in area.tasks
        )
        area_results.append(
            AreaProgress(area.key, area.kind, area.title, weighted_progress(tasks), tasks)
        )
    all_tasks = [task for area in area_results for task in area.tasks]
    progress = weighted_progress(all_tasks)
    status_counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for task in all_tasks:
        status_counts[task.status] += 1
    return PlanProgress(
        year=year,
        as_of=as_of,
        progress=progress,
        score=100 * progress,
        status_counts=status_counts,
        areas=tuple(area_results),
    )
