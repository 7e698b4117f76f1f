"""What keeps every wmcj command fast, guarded so that no later change undoes it quietly.

No timings here (``benchmarks/run.py`` measures time, on purpose outside the suite):
these tests check the means. Help and version load no database stack; a command
imports its own module and nothing it does not use; a report makes as many queries at
a thousand activities as at ten; the activity tallies are read from a covering index;
the process ends without Python's final walk over every object.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

#: Imported by a real ``wmcj`` process started with the given arguments: the modules it
#: loaded, written to the file named by WMCJ_TEST_MODULES when it ends.
PROBE = """
import json, os, sys
sys.argv = ["wmcj", *json.loads(os.environ["WMCJ_TEST_ARGS"])]
from wmcj.cli import main
try:
    main()
except SystemExit:
    pass
with open(os.environ["WMCJ_TEST_MODULES"], "w") as out:
    json.dump(sorted(sys.modules), out)
"""

#: The database stack and the other heavy libraries, by top-level package.
DATABASE_STACK = {"sqlalchemy", "sqlmodel", "pydantic", "alembic"}
HEAVY = DATABASE_STACK | {"rich", "yaml", "lunar_python", "openpyxl"}


def modules(tmp_path: Path, *args: str) -> set[str]:
    """The modules a real ``wmcj ARGS`` process loads (output to a pipe, not a terminal)."""
    listing = tmp_path / "modules.json"
    env = {
        **os.environ,
        "WMCJ_TEST_ARGS": json.dumps(list(args)),
        "WMCJ_TEST_MODULES": str(listing),
        "WMCJ_TODAY": "2018-06-30",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert listing.exists(), result.stderr
    return set(json.loads(listing.read_text()))


def packages(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


# -- what each command imports --------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_load_no_database_stack_and_no_rich(tmp_path: Path, flag: str) -> None:
    loaded = packages(modules(tmp_path, flag))
    assert "typer" in loaded
    assert not loaded & HEAVY, f"wmcj {flag} imports {sorted(loaded & HEAVY)}"


def test_version_builds_no_command(tmp_path: Path) -> None:
    loaded = modules(tmp_path, "--version")
    assert {m for m in loaded if m.startswith("wmcj.cli.")} == {"wmcj.cli.common"}


@pytest.mark.parametrize(
    ("args", "own"),
    [
        (["report"], "wmcj.cli.report"),
        (["summary", "--week", "2018-W15"], "wmcj.cli.summary"),
        (["task", "show", "work-plan"], "wmcj.cli.task"),
        (
            ["activity", "add", "学习", "--date", "2018-04-02", "--task", "work-plan"],
            "wmcj.cli.activity",
        ),
    ],
)
def test_a_command_imports_its_own_module_only(
    loaded: Path, tmp_path: Path, args: list[str], own: str
) -> None:
    found = modules(tmp_path, *args)
    assert {m for m in found if m.startswith("wmcj.cli.")} == {"wmcj.cli.common", own}


@pytest.mark.parametrize(
    "args",
    [
        ["report"],
        ["summary", "--week", "2018-W15"],
        ["activity", "add", "学习", "--date", "2018-04-02", "--task", "work-plan"],
        ["task", "show", "work-plan"],
    ],
)
def test_everyday_commands_leave_plan_files_migrations_and_excel_alone(
    loaded: Path, tmp_path: Path, args: list[str]
) -> None:
    found = packages(modules(tmp_path, *args))
    unused = found & {"yaml", "lunar_python", "alembic", "openpyxl"}
    assert not unused, f"wmcj {' '.join(args)} imports {sorted(unused)}"


@pytest.mark.parametrize("args", [["summary", "--week", "2018-W15"]])
def test_plain_summary_is_written_without_rich(
    loaded: Path, tmp_path: Path, args: list[str]
) -> None:
    """The weekly mail is plain lines: cron never pays for Rich."""
    found = modules(tmp_path, *args)
    assert "rich.console" not in found


def test_plan_load_is_where_yaml_and_the_lunar_calendar_come_in(tmp_path: Path) -> None:
    plan = Path(__file__).resolve().parent.parent / "plans" / "2018.yaml"
    found = packages(modules(tmp_path, "plan", "load", str(plan)))
    assert {"yaml", "lunar_python"} <= found


# -- queries ----------------------------------------------------------------------------------


def add_activities(db_path: Path, count: int) -> None:
    """``count`` activities of 2018, each counting for two tasks, inserted in one go."""
    from sqlalchemy import create_engine, insert, text

    from wmcj.models import Activity, ActivityTask

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        plan = conn.execute(text("SELECT id FROM plan WHERE year = 2018")).scalar_one()
        tasks = [
            row[0]
            for row in conn.execute(
                text("SELECT id FROM task WHERE plan_id = :p ORDER BY id"), {"p": plan}
            )
        ]
        first = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM activity")).scalar_one() + 1
        activities, links = [], []
        for number in range(count):
            day = dt.date(2018, 1, 1) + dt.timedelta(days=number % 365)
            activity_id = first + number
            activities.append(
                {"id": activity_id, "plan_id": plan, "date": day, "title": f"活动{number}"}
            )
            for task in (tasks[number % len(tasks)], tasks[(number * 7 + 3) % len(tasks)]):
                links.append({"activity_id": activity_id, "task_id": task})
        conn.execute(insert(Activity.__table__), activities)  # type: ignore[attr-defined]
        # Two picks can be the same task: keep each link once.
        unique = list({(r["activity_id"], r["task_id"]): r for r in links}.values())
        conn.execute(insert(ActivityTask.__table__), unique)  # type: ignore[attr-defined]
    engine.dispose()


class Statements:
    """Every SQL statement any engine sends while counting."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.sent.append((statement, parameters))

    def __enter__(self) -> Statements:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.listen(Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.remove(Engine, "before_cursor_execute", self)


COMMANDS = [
    ["report", "--as-of", "2018-12-31"],
    ["report", "--as-of", "2018-12-31", "--format", "json"],
    ["summary", "--week", "2018-W40"],
    ["task", "show", "work-plan", "--as-of", "2018-12-31"],
    ["task", "list"],
]


def count_queries(run: Any, args: list[str]) -> int:
    with Statements() as statements:
        result = run(*args, env={"WMCJ_TODAY": "2018-12-31"})
    assert result.exit_code == 0, result.stderr
    return len(statements.sent)


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_reports_make_as_many_queries_at_a_thousand_activities_as_at_ten(
    run: Any, loaded: Path, db_path: Path, args: list[str]
) -> None:
    add_activities(db_path, 10)
    few = count_queries(run, args)
    add_activities(db_path, 990)
    many = count_queries(run, args)
    assert few == many, f"wmcj {' '.join(args)}: {few} queries at 10 activities, {many} at 1,000"


def test_the_tallies_are_read_from_a_covering_index(loaded: Path, db_path: Path) -> None:
    """At a million activities the count must not read the activity rows (their titles and
    notes) nor scan a table: SQLite's plan for the tallies query says so.
    """
    import sqlite3

    from wmcj.db import Database
    from wmcj.plans import find_plan
    from wmcj.tracking import tallies

    add_activities(db_path, 50)
    database = Database(f"sqlite:///{db_path}")
    try:
        with database.read() as session, Statements() as statements:
            plan = find_plan(session, 2018)
            assert plan.id is not None
            counted = tallies(session, plan.id, dt.date(2018, 12, 31))
    finally:
        database.close()
    conn = sqlite3.connect(db_path)
    try:
        (links,) = conn.execute("SELECT COUNT(*) FROM activity_task").fetchone()
    finally:
        conn.close()
    assert sum(t.count for found in counted.values() for t in found) == links
    (statement, parameters), *_ = [s for s in statements.sent if "activity_task" in s[0]]
    conn = sqlite3.connect(db_path)
    try:
        steps = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    finally:
        conn.close()
    assert steps[0].startswith("SEARCH a USING COVERING INDEX ix_activity_plan_tally"), steps
    assert not [step for step in steps if step.startswith("SCAN")], steps


def test_opening_an_up_to_date_database_asks_one_question(loaded: Path, db_path: Path) -> None:
    """The schema check on every command is one query (its revision), not an inspection."""
    from wmcj.db import Database

    database = Database(f"sqlite:///{db_path}")
    try:
        with Statements() as statements:
            assert database.engine is not None
    finally:
        database.close()
    queries = [s for s, _p in statements.sent if s.split()[0].upper() not in ("BEGIN", "COMMIT")]
    assert len(queries) == 1, queries
    assert "alembic_version" in queries[0]


# -- the end of the process ---------------------------------------------------------------------


def test_the_command_line_ends_without_collecting_every_object(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``main`` freezes the collector once the command is done: Python's last collection
    would otherwise walk everything SQLAlchemy and pydantic made, a third of a command.
    """
    from wmcj.cli import main

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(sys, "argv", ["wmcj", "--version"])
    with pytest.raises(SystemExit):
        main()
    assert frozen == [True]


def test_a_command_closes_its_database_before_the_process_ends(
    run: Any, loaded: Path, db_path: Path
) -> None:
    """With the final collection skipped, closing is the command's own job: no journal
    (``-wal``) is left behind once it is done.
    """
    result = run("report", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert not db_path.with_name(db_path.name + "-wal").exists()
