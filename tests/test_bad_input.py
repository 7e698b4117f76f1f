"""What people type wrong, and what the machine does wrong, across all commands.

Bad input: exit 2, one line on stderr saying what was wrong (plan problems: one
``FILE:LINE:COLUMN: message`` line each), no traceback, nothing written. A broken
environment (not a database, read-only, locked, disk full…): exit 1, one line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from wmcj.cli import app
from wmcj.dbtools import copy_database

WMCJ = str(Path(sys.executable).with_name("wmcj"))
PLAN_2018 = Path(__file__).resolve().parent.parent / "plans" / "2018.yaml"
TODAY = "2018-06-30"
LOCATED = re.compile(r"[^:]+:\d+:\d+: \S")


def commands() -> set[str]:
    return set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once: the seed plan, an activity with a photo, a done mark."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("template")
    photo = folder / "现场.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    env = {"WMCJ_DB": str(folder / "wmcj.db"), "WMCJ_TODAY": TODAY}
    runner = CliRunner()
    steps = [
        ["plan", "load", str(PLAN_2018)],
        ["activity", "add", "宣传", "--date", "2018-04-26", "--task", "ip-day-events",
         "--attach", str(photo), "--tag", "宣传"],
        ["task", "done", "work-plan", "--date", "2018-03-31"] if "task" in commands() else [],
    ]  # fmt: skip
    for step in filter(None, steps):
        assert runner.invoke(app, step, env=env).exit_code == 0, step
    return folder


@pytest.fixture
def recorded(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the template as this test's database; the clock at 2018-06-30."""
    monkeypatch.setenv("WMCJ_TODAY", TODAY)
    copy_database(template / "wmcj.db", tmp_path / "wmcj.db")
    sqlite3.connect(tmp_path / "wmcj.db").execute("PRAGMA journal_mode = WAL").close()
    shutil.copytree(template / "wmcj-files", tmp_path / "wmcj-files")
    return tmp_path


def snapshot(folder: Path) -> tuple[list[str], list[str]]:
    """Every row of the database, and every file of the store."""
    conn = sqlite3.connect(folder / "wmcj.db")
    rows = list(conn.iterdump())
    conn.close()
    store = folder / "wmcj-files"
    files = sorted(str(p.relative_to(store)) for p in store.rglob("*")) if store.exists() else []
    return rows, files


# (arguments, what the one line must say); "{tmp}" is the test's folder.
BAD = [
    # plan
    (["plan", "load", "{tmp}/missing.yaml"], "no such file: {tmp}/missing.yaml"),
    (["plan", "load", "{tmp}"], "is a folder, not a plan file"),
    (["plan", "check", "{tmp}/missing.yaml"], "no such file"),
    (["plan", "show", "--year", "2017"], "no plan for 2017 is loaded (loaded: 2018)"),
    (["plan", "show", "--year", "-5"], "no plan for -5 is loaded"),
    (["plan", "show", "--year", "99999999999999999999"], "no plan for 99999999999999999999"),
    (["plan", "list", "--format", "xml"], "'xml' is not one of"),
    # activity
    (["activity", "add", "x", "--task", "work-plan", "--date", "2018-13-01"],
     "--date '2018-13-01' is not a date"),
    (["activity", "add", "x", "--task", "work-plan", "--date", "tomorrow"],
     "--date 'tomorrow' is not a date"),
    (["activity", "add", "x", "--task", "regulation"],
     "no task 'regulation' in plan 2018 — did you mean 'regulations'?"),
    (["activity", "add", "x", "--task", "work-plan", "--people", "-3"],
     "--people must be a whole number of 0 or more, not -3"),
    (["activity", "add", "x", "--task", "work-plan", "--people", "99999999999999999999"],
     "is more than 1,000,000"),
    (["activity", "add", "x", "--task", "work-plan", "--hours", "-1"],
     "--hours must be a number of 0 or more"),
    (["activity", "add", "x", "--task", "work-plan", "--hours", "nan"],
     "--hours must be a number of 0 or more, not nan"),
    (["activity", "add", "x", "--task", "work-plan", "--hours", "1e400"],
     "--hours must be a number of 0 or more, not inf"),
    (["activity", "add", "x", "--task", "work-plan", "--attach", "{tmp}/missing.jpg"],
     "attachment {tmp}/missing.jpg does not exist"),
    (["activity", "add", "x", "--task", "work-plan", "--date", "2017-05-01"],
     "2017-05-01 lies outside every loaded plan's year (loaded: 2018)"),
    (["activity", "add", " ", "--task", "work-plan"], "the title is empty"),
    (["activity", "add", "x"], "give at least one --task"),
    (["activity", "add", "x", "y.jpg", "--task", "work-plan"], "more than one TITLE"),
    (["activity", "list", "--from", "2018-06-01", "--to", "2018-01-01"],
     "--from 2018-06-01 is after --to 2018-01-01"),
    (["activity", "list", "--task", "nope"], "no task 'nope' in plan 2018"),
    (["activity", "list", "--area", "leadershp"], "did you mean 'leadership'?"),
    (["activity", "list", "--year", "2017"], "no plan for 2017 is loaded"),
    (["activity", "show", "999"], "no activity #999"),
    (["activity", "show", "0"], "no activity #0"),
    (["activity", "show", "abc"], "Invalid value for 'number'"),
    (["activity", "show", "99999999999999999999999"], "no activity #99999999999999999999999"),
    (["activity", "edit", "999", "--title", "x"], "no activity #999"),
    (["activity", "edit", "1"], "nothing to change"),
    (["activity", "edit", "1", "--date", "2017-01-01"], "lies outside every loaded plan's year"),
    (["activity", "edit", "1", "--detach", "nope.jpg"], "activity #1 has no attachment 'nope.jpg'"),
    (["activity", "edit", "1", "--people", "-1"], "--people must be a whole number"),
    (["activity", "rm", "999", "--yes"], "no activity #999"),
    (["activity", "rm", "1"], "not deleting activity #1 without confirmation; pass --yes"),
    # task
    (["task", "list", "--status", "late"], "--status 'late' is not a status"),
    (["task", "list", "--area", "nope"], "no area 'nope' in plan 2018"),
    (["task", "list", "--year", "2017"], "no plan for 2017 is loaded"),
    (["task", "list", "--as-of", "2018-02-30"], "--as-of '2018-02-30' is not a date"),
    (["task", "show", "regulation"], "did you mean 'regulations'?"),
    (["task", "done", "nope"], "no task 'nope' in plan 2018"),
    (["task", "done", "meetings", "--date", "2018-13-01"], "--date '2018-13-01' is not a date"),
    (["task", "done", "regulations", "--date", "2018-12-31"], "is after today (2018-06-30)"),
    (["task", "reopen", "regulations"], "is not marked done"),
    # report, summary, calendar
    (["report", "--year", "2017"], "no plan for 2017 is loaded"),
    (["report", "--as-of", "2018-02-30"], "--as-of '2018-02-30' is not a date"),
    (["report", "--area", "nope"], "no area 'nope' in plan 2018"),
    (["report", "--format", "xml"], "'xml' is not one of"),
    (["report", "--year", "-1"], "no plan for -1 is loaded"),
    (["summary", "--week", "2018-W60"], "--week '2018-W60' is not an ISO week"),
    (["summary", "--week", "2017-W10"], "no plan for 2017 is loaded"),
    (["summary", "--as-of", "someday"], "--as-of 'someday' is not a date"),
    (["calendar", "--from", "bad"], "--from 'bad' is not a date"),
    (["calendar", "--from", "2018-06-01", "--to", "2018-01-01"],
     "--to 2018-01-01 is before --from 2018-06-01"),
    (["calendar", "--year", "2017"], "no plan for 2017 is loaded"),
    # anywhere
    (["--lang", "fr", "plan", "list"], "--lang must be zh or en, not 'fr'"),
    (["nonsense"], "No such command 'nonsense'"),
    (["activity", "list", "--out", "{tmp}"], "is a directory"),
    (["db", "backup", "{tmp}/wmcj.db"], "is the database itself"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "says"), BAD, ids=[" ".join(a) for a, _s in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    run: Any, recorded: Path, args: list[str], says: str
) -> None:
    args = [a.format(tmp=recorded) for a in args]
    if args[0] in {"plan", "activity", "task", "calendar", "report", "summary", "db"} - commands():
        pytest.skip(f"wmcj {args[0]} is not there yet")
    before = snapshot(recorded)
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ")
    assert says.format(tmp=recorded) in line
    assert snapshot(recorded) == before


def test_a_bad_clock_setting_is_one_line(run: Any, recorded: Path) -> None:
    before = snapshot(recorded)
    result = run("report", env={"WMCJ_TODAY": "30/06/2018"})
    assert (result.exit_code, result.stderr) == (
        2,
        "error: WMCJ_TODAY='30/06/2018' is not a date; use YYYY-MM-DD\n",
    )
    assert snapshot(recorded) == before


def test_plan_problems_are_located_lines(run: Any, recorded: Path, write_plan: Any) -> None:
    plan = write_plan(
        "version: 1\nyear: 2018\nunit: x\ntitle: y\nareas:\n  - id: Lead\n    title: t\n"
        "    tasks: []\n"
    )
    before = snapshot(recorded)
    for command in ("check", "load"):
        result = run("plan", command, str(plan))
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 2 and all(LOCATED.match(line) for line in lines), lines
        assert lines[0].startswith(f"{plan}:6:9: area id 'Lead'")
    assert snapshot(recorded) == before


def test_no_traceback_from_a_real_process(recorded: Path) -> None:
    """The installed command, not only the test runner: one line, even for a surprise."""
    env = {**os.environ, "WMCJ_TODAY": TODAY}
    for args in (["activity", "show", "999"], ["report", "--as-of", "2018-02-30"]):
        done = subprocess.run([WMCJ, *args], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
        assert "Traceback" not in done.stderr


# -- the environment fails: exit 1 ------------------------------------------------------------


def one_line(result: Any, code: int = 1) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    return line


def test_a_file_that_is_not_a_database(run: Any, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("会议记录\n", encoding="utf-8")
    for args in (["plan", "list"], ["activity", "add", "x", "--task", "a"], ["db", "check"]):
        assert one_line(run("--db", str(notes), *args)) == (
            f"error: {notes} is not a wmcj database (or it is damaged); check --db / WMCJ_DB,"
            " or restore a backup with: wmcj db restore FILE"
        )
    assert notes.read_text(encoding="utf-8") == "会议记录\n"


def test_a_database_of_another_program(run: Any, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    assert one_line(run("--db", str(other), "plan", "list")) == (
        f"error: {other} is a database of another program (it has tables such as 'customers');"
        " give wmcj its own file with --db or WMCJ_DB"
    )
    conn = sqlite3.connect(other)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]
    conn.close()


def test_a_folder_that_cannot_be_created(run: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    line = one_line(run("--db", str(blocker / "sub" / "wmcj.db"), "plan", "list"))
    assert line == (
        f"error: cannot create the folder for the database {blocker / 'sub'}: Not a directory"
    )


def test_a_folder_given_as_the_database(run: Any, tmp_path: Path) -> None:
    assert one_line(run("--db", str(tmp_path), "plan", "list")) == (
        f"error: the database {tmp_path} is a folder; give a file name with --db or WMCJ_DB"
    )


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.rollback()
"""


def test_a_database_locked_past_the_busy_timeout(recorded: Path) -> None:
    db = recorded / "wmcj.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    env = {**os.environ, "WMCJ_TODAY": TODAY, "WMCJ_BUSY_TIMEOUT": "0.5"}
    add = [WMCJ, "activity", "add", "等待", "--task", "work-plan"]
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        before = snapshot(recorded)
        blocked = subprocess.run(add, env=env, capture_output=True, text=True, timeout=60)
        assert (blocked.returncode, blocked.stderr) == (
            1,
            f"error: the database {db} is busy: another program has been writing to it for more"
            " than 0.5 seconds; try again in a moment\n",
        )
        # Readers are never held up by a writer.
        report = subprocess.run([WMCJ, "report"], env=env, capture_output=True, timeout=60)
        assert report.returncode == 0
        assert snapshot(recorded) == before
    finally:
        holder.communicate("", timeout=60)
    assert subprocess.run(add, env=env, capture_output=True, timeout=60).returncode == 0


@contextlib.contextmanager
def mounted(folder: Path, options: str) -> Iterator[None]:
    """A small tmpfs at ``folder`` (root only); skip where the system does not allow it."""
    folder.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mount.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the monkeypatched test covers it")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_database(run: Any, tmp_path: Path) -> None:
    place = tmp_path / "ro"
    db = place / "wmcj.db"
    add = ["--db", str(db), "activity", "add", "x", "--task", "work-plan"]
    if os.geteuid() == 0:  # root writes anything: only a read-only file system stops it
        with mounted(place, "size=4m"):
            # A separate process, so no connection of ours keeps the file system busy.
            subprocess.run([WMCJ, "--db", str(db), "plan", "list"], check=True, capture_output=True)
            subprocess.run(["mount", "-o", "remount,ro", str(place)], check=True)
            line = one_line(run(*add))
    else:
        place.mkdir()
        assert run("--db", str(db), "plan", "list").exit_code == 0
        db.chmod(0o444)
        place.chmod(0o555)
        try:
            line = one_line(run(*add))
        finally:
            place.chmod(0o755)
    assert line == (
        f"error: the database {db} is read-only; check the permissions of the file and its folder"
    )


def test_a_full_disk(run: Any, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    db = disk / "wmcj.db"
    with mounted(disk, "size=2m"):
        assert run("--db", str(db), "plan", "load", str(PLAN_2018)).exit_code == 0
        photo = tmp_path / "大照片.jpg"
        photo.write_bytes(os.urandom(3_000_000))
        # Room for the database to work, not for the photo: the store says so.
        line = one_line(
            run("--db", str(db), "activity", "add", "x", "--date", "2018-05-01",
                "-t", "work-plan", "--attach", str(photo))
        )  # fmt: skip
        assert line == (
            f"error: cannot store attachment {photo}: No space left on device (nothing was written)"
        )
        assert not [p for p in (disk / "wmcj-files").rglob("*") if p.is_file()]
        # No room at all: the database says so.
        with (disk / "filler").open("wb") as filler, contextlib.suppress(OSError):
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        line = one_line(
            run("--db", str(db), "activity", "add", "x", "--date", "2018-05-01",
                "-t", "work-plan", "--note", "很长的说明" * 2000)
        )  # fmt: skip
        assert line == (
            f"error: the disk holding the database {db} is full; free some space and try again"
            " (nothing was written)"
        )
        (disk / "filler").unlink()
        listed = run("--db", str(db), "activity", "list", "--format", "json", "--year", "2018")
        assert (listed.exit_code, listed.stdout) == (0, "[]\n")


def test_a_full_disk_while_storing_an_attachment(
    run: Any, recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, where no tmpfs can be mounted: the disk fills as the copy is flushed."""

    def full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    photo = recorded / "新照片.jpg"
    photo.write_bytes(b"\xff\xd8 another photo")
    before = snapshot(recorded)
    monkeypatch.setattr("wmcj.attachments.os.fsync", full)
    line = one_line(run("activity", "add", "x", "-t", "work-plan", "--attach", str(photo)))
    assert line == (
        f"error: cannot store attachment {photo}: No space left on device (nothing was written)"
    )
    assert snapshot(recorded) == before
