"""``wmcj plan``: load, check, show, list — as a user types them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLAN_2018 = Path(__file__).resolve().parents[2] / "plans" / "2018.yaml"

BAD_PLAN = """\
version: 1
year: 2018
unit: 单位
title: 方案
areas:
  - id: leadership
    title: 加强组织领导
    tasks:
      - id: regulations
        tittle: 完善制度
        due: 13-01
"""


def test_load_twice_says_no_changes(run, db_path: Path) -> None:
    first = run("plan", "load", str(PLAN_2018))
    assert first.exit_code == 0, first.stderr
    assert "plan 2018 loaded: 8 areas" in first.stdout
    second = run("plan", "load", str(PLAN_2018))
    assert second.exit_code == 0
    assert second.stdout.strip() == "plan 2018: no changes"


def test_load_reports_changes(run, write_plan) -> None:
    text = PLAN_2018.read_text(encoding="utf-8")
    run("plan", "load", str(PLAN_2018))
    edited = text.replace("title: 制定全局文明创建活动方案", "title: 制定全局文明创建工作方案")
    assert edited != text
    result = run("plan", "load", str(write_plan(edited)))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["plan 2018 updated:", "  tasks changed (1): work-plan"]


def test_check_reports_every_problem_located(run, write_plan, db_path: Path) -> None:
    path = write_plan(BAD_PLAN)
    result = run("plan", "check", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{path}:9:9: task 'regulations' lacks the required key 'title'",
        f"{path}:10:9: unknown key 'tittle' in task 'regulations' (did you mean 'title'?)",
        f"{path}:11:14: 'due' '13-01' is not a real date",
    ]
    assert result.stdout == ""


def test_bad_plan_load_writes_nothing(run, write_plan, db_path: Path) -> None:
    result = run("plan", "load", str(write_plan(BAD_PLAN)))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    listing = run("plan", "list", "--format", "json")
    assert json.loads(listing.stdout) == []


def test_check_in_chinese(run, write_plan) -> None:
    result = run("--lang", "zh", "plan", "check", str(write_plan(BAD_PLAN)))
    assert result.exit_code == 2
    assert "任务 'regulations' 中有未知的键 'tittle'（是不是要写 'title'？）" in result.stderr


def test_missing_file(run) -> None:
    result = run("plan", "load", "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no such file: nope.yaml"


def test_show_and_list(run, loaded) -> None:
    shown = run("plan", "show", "--format", "json")
    data = json.loads(shown.stdout)
    assert data["year"] == 2018 and data["unit"] == "某县科学技术局"
    assert [a["kind"] for a in data["areas"]] == ["key-work"] * 5 + ["safeguard"] * 3
    tasks = {t["id"]: t for a in data["areas"] for t in a["tasks"]}
    assert tasks["regulations"]["target"] == 20
    table = run("plan", "show")
    assert "regulations" in table.stdout and "\x1b" not in table.stdout
    listing = json.loads(run("plan", "list", "--format", "json").stdout)
    assert [(p["year"], p["areas"], p["activities"]) for p in listing] == [(2018, 8, 0)]
    assert listing[0]["tasks"] == len(tasks)


def test_show_without_plan(run) -> None:
    result = run("plan", "show")
    assert result.exit_code == 2
    assert "no plan is loaded yet" in result.stderr


def test_unknown_year(run, loaded) -> None:
    result = run("plan", "show", "--year", "2019")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no plan for 2019 is loaded (loaded: 2018)"


def test_db_option_and_env(run, tmp_path: Path) -> None:
    other = tmp_path / "sub" / "dir" / "other.db"
    result = run("--db", str(other), "plan", "load", str(PLAN_2018))
    assert result.exit_code == 0 and other.exists()
    url = run("--db", f"sqlite:///{other}", "plan", "list", "--format", "json")
    assert json.loads(url.stdout)[0]["year"] == 2018
    # The environment's database is still empty.
    assert json.loads(run("plan", "list", "--format", "json").stdout) == []


def test_default_database_in_user_data_dir(run, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WMCJ_DB")
    result = run("plan", "load", str(PLAN_2018))
    assert result.exit_code == 0
    from wmcj.db import default_db_path

    assert default_db_path().exists()
    assert str(default_db_path()).startswith(str(tmp_path))


def test_installed_command_end_to_end(tmp_path: Path) -> None:
    """The README's main job, run as a user runs it."""
    exe = Path(sys.executable).parent / "wmcj"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "WMCJ_DB": str(tmp_path / "x.db")}
    first = subprocess.run(
        [exe, "plan", "load", str(PLAN_2018)], capture_output=True, text=True, env=env
    )
    assert first.returncode == 0, first.stderr
    again = subprocess.run(
        [exe, "plan", "load", str(PLAN_2018)], capture_output=True, text=True, env=env
    )
    assert again.stdout.strip() == "plan 2018: no changes"
    bad = subprocess.run(
        [exe, "plan", "check", "/nonexistent.yaml"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1
