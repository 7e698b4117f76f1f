"""Tests for wmcj.namedays: built-in named days resolved per year."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import wmcj
from wmcj.namedays import (
    BUILTIN_KEYS,
    BUILTIN_NAMES,
    BUILTIN_NAMES_EN,
    NamedDay,
    builtin_days,
)

# Published dates (Chinese calendar, Beijing time), written out independently of lunar_python.
#        春节      清明      端午      中秋      重阳
PUBLISHED: dict[int, tuple[str, str, str, str, str]] = {
    2018: ("02-16", "04-05", "06-18", "09-24", "10-17"),
    2019: ("02-05", "04-05", "06-07", "09-13", "10-07"),
    2020: ("01-25", "04-04", "06-25", "10-01", "10-25"),
    2021: ("02-12", "04-04", "06-14", "09-21", "10-14"),
    2022: ("02-01", "04-05", "06-03", "09-10", "10-04"),
    2023: ("01-22", "04-05", "06-22", "09-29", "10-23"),
    2024: ("02-10", "04-04", "06-10", "09-17", "10-11"),
    2025: ("01-29", "04-04", "05-31", "10-06", "10-29"),
    2026: ("02-17", "04-05", "06-19", "09-25", "10-18"),
    2027: ("02-06", "04-05", "06-09", "09-15", "10-08"),
    2028: ("01-26", "04-04", "05-28", "10-03", "10-26"),
    2029: ("02-13", "04-04", "06-16", "09-22", "10-16"),
    2030: ("02-03", "04-05", "06-05", "09-12", "10-05"),
}
PUBLISHED_KEYS = ("spring-festival", "qingming", "dragon-boat", "mid-autumn", "double-ninth")

FIXED: dict[str, tuple[int, int]] = {
    "new-year": (1, 1),
    "lei-feng-day": (3, 5),
    "womens-day": (3, 8),
    "arbor-day": (3, 12),
    "national-security-day": (4, 15),
    "ip-day": (4, 26),
    "labour-day": (5, 1),
    "youth-day": (5, 4),
    "disaster-reduction-day": (5, 12),
    "childrens-day": (6, 1),
    "party-day": (7, 1),
    "army-day": (8, 1),
    "teachers-day": (9, 10),
    "national-day": (10, 1),
    "constitution-day": (12, 4),
    "volunteer-day": (12, 5),
}

EXPECTED_KEYS = (
    "new-year",
    "spring-festival",
    "lantern",
    "lei-feng-day",
    "womens-day",
    "arbor-day",
    "qingming",
    "national-security-day",
    "ip-day",
    "labour-day",
    "youth-day",
    "disaster-reduction-day",
    "dragon-boat",
    "childrens-day",
    "party-day",
    "army-day",
    "teachers-day",
    "mid-autumn",
    "national-day",
    "double-ninth",
    "constitution-day",
    "volunteer-day",
)


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_lunar_and_solar_term_days_match_published(year: int) -> None:
    days = builtin_days(year)
    for key, md in zip(PUBLISHED_KEYS, PUBLISHED[year], strict=True):
        assert days[key].date == date.fromisoformat(f"{year}-{md}"), key


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_lantern_is_fourteen_days_after_spring_festival(year: int) -> None:
    days = builtin_days(year)
    assert (days["lantern"].date - days["spring-festival"].date).days == 14


@pytest.mark.parametrize("year", [1901, 2018, 2024, 2099])
def test_fixed_days(year: int) -> None:
    days = builtin_days(year)
    for key, (month, day) in FIXED.items():
        assert days[key].date == date(year, month, day), key


def test_every_key_has_names() -> None:
    assert BUILTIN_KEYS == EXPECTED_KEYS
    assert len(set(BUILTIN_KEYS)) == len(BUILTIN_KEYS)
    assert set(BUILTIN_NAMES) == set(BUILTIN_KEYS)
    assert set(BUILTIN_NAMES_EN) == set(BUILTIN_KEYS)
    for key in BUILTIN_KEYS:
        assert BUILTIN_NAMES[key].strip()
        assert BUILTIN_NAMES_EN[key].strip()
    assert BUILTIN_NAMES["qingming"] == "清明节"
    assert BUILTIN_NAMES_EN["ip-day"] == "World Intellectual Property Day"


def test_days_carry_key_and_name() -> None:
    for key, day in builtin_days(2025).items():
        assert day.key == key
        assert day.name == BUILTIN_NAMES[key]
        assert day.until is None
        assert day.last == day.date


def test_all_dates_in_asked_year_across_supported_range() -> None:
    for year in range(1901, 2100):
        days = builtin_days(year)
        assert all(d.date.year == year for d in days.values()), year
        # Chinese New Year is always in late January or February.
        sf = days["spring-festival"].date
        assert date(year, 1, 20) <= sf <= date(year, 2, 21), sf
        assert days["qingming"].date.month == 4
        assert days["qingming"].date.day in (4, 5, 6)


@pytest.mark.parametrize("year", [1901, 2026, 2099])
def test_ordered_as_builtin_keys(year: int) -> None:
    assert tuple(builtin_days(year)) == BUILTIN_KEYS


@pytest.mark.parametrize("year", [-1, 0, 1900, 2100, 3000])
def test_out_of_range_years_raise(year: int) -> None:
    with pytest.raises(ValueError):
        builtin_days(year)


def test_named_day_span_last() -> None:
    day = NamedDay("week", "周", date(2025, 3, 1), until=date(2025, 3, 7))
    assert day.last == date(2025, 3, 7)
    assert NamedDay("x", "x", date(2025, 1, 1)).last == date(2025, 1, 1)
    with pytest.raises(AttributeError):
        day.key = "other"  # type: ignore[misc]


def test_import_does_not_load_lunar_python() -> None:
    code = "import sys, wmcj.namedays; assert 'lunar_python' not in sys.modules, 'loaded'"
    src = str(Path(wmcj.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 0, result.stderr
