"""``wmcj calendar``: the year's named days, literal dates and deadlines in order."""

from __future__ import annotations

import json


def test_calendar_2018_has_the_seed_days(run, loaded) -> None:
    result = run("calendar", "--year", "2018", "--format", "json")
    assert result.exit_code == 0, result.stderr
    entries = json.loads(result.stdout)
    by_what = {e["what"]: e for e in entries if e["what"] not in ("due", "date")}
    assert by_what["qingming"]["date"] == "2018-04-05"
    assert by_what["mid-autumn"]["date"] == "2018-09-24"
    assert by_what["national-day"]["date"] == "2018-10-01"
    assert by_what["ip-day"]["date"] == "2018-04-26"
    assert by_what["disaster-reduction-day"]["date"] == "2018-05-12"
    week = by_what["sci-tech-week"]
    assert (week["date"], week["until"], week["name"]) == ("2018-05-19", "2018-05-26", "科技活动周")
    assert "sci-tech-week-events" in week["tasks"]
    assert by_what["spring-festival"]["tasks"] == []
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates)
    dues = [e for e in entries if e["what"] == "due"]
    assert any(e["tasks"] == ["regulations"] and e["date"] == "2018-12-31" for e in dues)


def test_calendar_range_and_table(run, loaded) -> None:
    result = run("calendar", "--from", "2018-04-01", "--to", "2018-04-30")
    assert result.exit_code == 0
    assert "2018-04-05" in result.stdout and "Qingming Festival" in result.stdout
    assert "2018-05-12" not in result.stdout
    zh = run("--lang", "zh", "calendar", "--from", "2018-04-01", "--to", "2018-04-30")
    assert "清明节" in zh.stdout and "世界知识产权日" in zh.stdout


def test_calendar_span_overlapping_range(run, loaded) -> None:
    entries = json.loads(
        run("calendar", "--from", "2018-05-25", "--to", "2018-05-25", "-f", "json").stdout
    )
    assert [e["what"] for e in entries] == ["sci-tech-week"]


def test_literal_dates_in_on_lists(run, write_plan) -> None:
    path = write_plan(
        "version: 1\nyear: 2019\nunit: u\ntitle: t\nareas:\n  - id: a\n    title: A\n    tasks:\n"
        "      - id: x\n        title: X\n        on: [06-15, qingming]\n"
    )
    assert run("plan", "load", str(path)).exit_code == 0
    entries = json.loads(run("calendar", "-f", "json", "--year", "2019").stdout)
    literal = [e for e in entries if e["what"] == "date"]
    assert literal == [
        {"date": "2019-06-15", "until": None, "what": "date", "name": "2019-06-15", "tasks": ["x"]}
    ]
    qingming = next(e for e in entries if e["what"] == "qingming")
    assert qingming["date"] == "2019-04-05" and qingming["tasks"] == ["x"]


def test_bad_range(run, loaded) -> None:
    result = run("calendar", "--from", "2018-05-01", "--to", "2018-04-01")
    assert result.exit_code == 2 and "is before" in result.stderr
    result = run("calendar", "--from", "May 1")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --from 'May 1' is not a date; write it as YYYY-MM-DD, e.g. 2018-04-26"
    )
