"""Backups, restores and the check: copies are whole, the check finds every broken rule."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from wmcj.db import Database
from wmcj.dbtools import backup, check_database, copy_database, restore
from wmcj.errors import InputError

TODAY = {"WMCJ_TODAY": "2018-06-30"}
PHOTO = b"\xff\xd8\xff\xe0 a photo of the event"
SHEET = b"%PDF-1.4 sign-in sheet"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def recorded(run: Any, loaded: Path, db_path: Path, tmp_path: Path) -> Path:
    """The seed plan with one activity holding a photo and a PDF, and one with a note."""
    (tmp_path / "现场.jpg").write_bytes(PHOTO)
    (tmp_path / "签到表.pdf").write_bytes(SHEET)
    first = run(
        "activity", "add", "知识产权日宣传", "--date", "2018-04-26", "--task", "ip-day-events",
        "--attach", str(tmp_path / "现场.jpg"), "--attach", str(tmp_path / "签到表.pdf"),
    )  # fmt: skip
    assert first.exit_code == 0, first.stderr
    second = run(
        "activity", "add", "制定方案", "--date", "2018-02-10", "--task", "work-plan",
        "--note", "印发全局方案",
    )  # fmt: skip
    assert second.exit_code == 0, second.stderr
    return db_path


def database(path: Path) -> Database:
    return Database(f"sqlite:///{path}")


def check(path: Path, **options: Any) -> Any:
    db = database(path)
    try:
        return check_database(db=db, **options)
    finally:
        db.close()


def sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def count(path: Path, table: str = "activity") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# -- backup -------------------------------------------------------------------------------------


def test_a_backup_is_a_working_database_with_its_files(recorded: Path, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "2018-06-30.db"
    target.parent.mkdir()
    result = backup(db=database(recorded), target=target)
    assert (result.files_copied, result.files_present, result.files_missing) == (2, 0, [])
    assert result.files_dir == tmp_path / "backups" / "2018-06-30-files"
    assert (result.files_dir / sha(PHOTO)[:2] / f"{sha(PHOTO)}.jpg").read_bytes() == PHOTO
    assert (result.files_dir / sha(SHEET)[:2] / f"{sha(SHEET)}.pdf").read_bytes() == SHEET
    # One self-contained file, in rollback-journal mode, nothing left beside it.
    assert sorted(p.name for p in target.parent.iterdir()) == ["2018-06-30-files", "2018-06-30.db"]
    assert target.read_bytes()[18:20] == b"\x01\x01"
    report = check(target)
    assert (report.ok, report.activities, report.attachments, report.warnings) == (True, 2, 2, [])

    # Again into the same folder: the files are there already.
    again = backup(db=database(recorded), target=target, force=True)
    assert (again.files_copied, again.files_present) == (0, 2)


def test_a_backup_never_overwrites_unless_forced(recorded: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_bytes(b"precious")
    with pytest.raises(InputError, match="already exists; give another name, or --force"):
        backup(db=database(recorded), target=target)
    assert target.read_bytes() == b"precious"
    backup(db=database(recorded), target=target, force=True)
    assert count(target) == 2


def test_a_failed_backup_leaves_nothing_behind(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()

    def full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("wmcj.dbtools.os.fsync", full)
    with pytest.raises(OSError, match="No space left"):
        copy_database(recorded, folder / "copy.db")
    assert list(folder.iterdir()) == []


WRITER = """
import sys
from datetime import date
from wmcj.activities import ActivityFields, add_activity
from wmcj.attachments import changing
from wmcj.db import Database

db = Database(sys.argv[1])
for number in range(int(sys.argv[2])):
    fields = ActivityFields(title=f"写入{number}", date=date(2018, 5, 1), tasks=["work-plan"])
    with changing(db.files) as files, db.write() as session:
        add_activity(session=session, files=files, fields=fields)
db.close()
"""


def test_backups_taken_while_another_process_writes_are_consistent(
    recorded: Path, tmp_path: Path
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, f"sqlite:///{recorded}", "300"],
        env={**os.environ, **TODAY},
    )
    copies = []
    try:
        while writer.poll() is None or not copies:
            target = tmp_path / f"copy{len(copies)}.db"
            backup(db=database(recorded), target=target, files=False)
            copies.append(target)
    finally:
        assert writer.wait(timeout=120) == 0
    assert count(recorded) == 302
    counts = [count(c) for c in copies]
    assert counts == sorted(counts) and counts[0] >= 2 and counts[-1] <= 302
    assert len(copies) >= 2 and counts[0] < 302  # taken while the writer was at work
    for copy in copies:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # Whole activities only: each one in the copy has its task link.
        assert conn.execute(
            "SELECT COUNT(*) FROM activity WHERE id NOT IN (SELECT activity_id FROM activity_task)"
        ).fetchone() == (0,)
        conn.close()


# -- restore -----------------------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_what_it_replaces(
    run: Any, recorded: Path, tmp_path: Path
) -> None:
    target = tmp_path / "safe.db"
    backup(db=database(recorded), target=target)
    # Later: one more activity, and one with its photo removed.
    later = run("activity", "add", "后来", "--date", "2018-06-01", "--task", "work-plan")
    assert later.exit_code == 0
    assert run("activity", "rm", "1", "--yes").exit_code == 0
    assert not (recorded.with_name("wmcj-files") / sha(PHOTO)[:2] / f"{sha(PHOTO)}.jpg").exists()

    db = database(recorded)
    result = restore(db=db, source=target)
    db.close()

    listed = json.loads(run("activity", "list", "--format", "json").stdout)
    assert [a["title"] for a in listed] == ["制定方案", "知识产权日宣传"]
    assert (recorded.with_name("wmcj-files") / sha(PHOTO)[:2] / f"{sha(PHOTO)}.jpg").exists()
    assert result.safety_copy is not None and result.safety_copy.name.startswith("wmcj.db.bak-")
    conn = sqlite3.connect(result.safety_copy)
    assert [r[0] for r in conn.execute("SELECT title FROM activity ORDER BY id")] == [
        "制定方案",
        "后来",
    ]
    conn.close()
    assert check(recorded).ok


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text\n", "is not a wmcj database"),
        (None, "no such file"),
    ],
)
def test_restore_refuses_what_is_not_a_wmcj_backup(
    recorded: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    source = tmp_path / "thing.db"
    if content is not None:
        source.write_bytes(content)
    before = count(recorded)
    with pytest.raises(InputError, match=message):
        restore(db=database(recorded), source=source)
    assert count(recorded) == before


def test_restore_refuses_a_database_of_another_program(recorded: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sql(other, "CREATE TABLE customers (id INTEGER)")
    with pytest.raises(InputError, match="is not a wmcj database"):
        restore(db=database(recorded), source=other)


# -- the check -----------------------------------------------------------------------------------


def test_a_sound_database_passes(recorded: Path) -> None:
    report = check(recorded)
    assert (report.problems, report.warnings, report.repaired) == ([], [], [])
    assert (report.activities, report.attachments) == (2, 2)


def _second_plan(run: Any, write_plan: Any) -> None:
    plan = write_plan(
        "version: 1\nyear: 2019\nunit: 某局\ntitle: 2019年方案\nareas:\n  - id: leadership\n"
        "    title: 领导\n    tasks:\n      - id: work-plan\n        title: 方案\n",
        "2019.yaml",
    )
    assert run("plan", "load", str(plan)).exit_code == 0


BROKEN = [
    (
        ["DELETE FROM activity_task WHERE activity_id = 2"],
        "activity #2 counts for no task; link it: wmcj activity edit 2 --task ID",
    ),
    (
        ["UPDATE activity SET date = '2019-01-05' WHERE id = 2"],
        "activity #2 is dated 2019-01-05 but belongs to plan 2018",
    ),
    (
        ["UPDATE activity SET photos = 3 WHERE id = 1"],
        "activity #1 says it has 3 photo(s) and 1 other file(s), but 1 and 1 are attached",
    ),
    (
        ["UPDATE activity SET note_chars = 99 WHERE id = 2"],
        "activity #2 says its note has 99 characters, but it has 6",
    ),
    (
        ["UPDATE activity_task SET task_id = 9999 WHERE activity_id = 2"],
        "activity_task row 2 refers to a missing task row",
    ),
]


@pytest.mark.parametrize(("statements", "problem"), BROKEN)
def test_each_broken_rule_is_found(
    recorded: Path, tmp_path: Path, statements: list[str], problem: str
) -> None:
    broken = tmp_path / "broken.db"
    copy_database(recorded, broken)
    shutil.copytree(recorded.with_name("wmcj-files"), tmp_path / "broken-files")
    sql(broken, *statements)
    report = check(broken)
    assert report.problems == [problem]


def test_a_link_into_another_plan_is_found(
    run: Any, recorded: Path, write_plan: Any, tmp_path: Path
) -> None:
    _second_plan(run, write_plan)
    broken = tmp_path / "broken.db"
    copy_database(recorded, broken)
    shutil.copytree(recorded.with_name("wmcj-files"), tmp_path / "broken-files")
    sql(
        broken,
        "UPDATE activity_task SET task_id = (SELECT task.id FROM task JOIN plan"
        " ON plan.id = task.plan_id WHERE plan.year = 2019) WHERE activity_id = 2",
    )
    assert check(broken).problems == ["activity #2 counts for task 'work-plan' of another plan"]


@pytest.mark.broken_db
@pytest.mark.parametrize(
    ("damage", "problem", "quick"),
    [
        ("remove", "is missing from the store", "is missing from the store"),
        ("resize", "has 5 bytes in the store, not 22: the file was changed", "has 5 bytes"),
        ("rewrite", "does not match its sha256 in the store", None),
    ],
)
def test_attachment_files_are_checked(
    recorded: Path, damage: str, problem: str, quick: str | None
) -> None:
    stored = recorded.with_name("wmcj-files") / sha(SHEET)[:2] / f"{sha(SHEET)}.pdf"
    if damage == "remove":
        stored.unlink()
    elif damage == "resize":
        stored.write_bytes(b"short")
    else:
        stored.write_bytes(SHEET.upper())  # same size, other bytes
    (found,) = check(recorded).problems
    assert found.startswith("activity #1: attachment '签到表.pdf' ") and problem in found
    quick_problems = check(recorded, hashes=False).problems
    assert quick_problems == ([] if quick is None else [found])


def test_what_else_is_in_the_store_is_a_warning(recorded: Path) -> None:
    store = recorded.with_name("wmcj-files")
    orphan = hashlib.sha256(b"left over").hexdigest()
    (store / orphan[:2]).mkdir(exist_ok=True)
    (store / orphan[:2] / f"{orphan}.png").write_bytes(b"left over")
    (store / ".incoming-abc123").write_bytes(b"half a cop")
    (store / "notes.txt").write_text("mine")
    report = check(recorded)
    assert report.ok
    assert report.warnings == [
        "1 file(s) in the store belong to no activity (9 B); left by an interrupted command or a"
        f" restore, they can stay: {orphan[:2]}/{orphan}.png",
        "1 partial file(s) left in the store by interrupted commands; remove them with:"
        " wmcj db check --repair",
        "1 file(s) in the store that wmcj did not put there: notes.txt",
    ]
    repaired = check(recorded, repair=True)
    assert repaired.repaired == ["removed a partial copy .incoming-abc123"]
    assert not (store / ".incoming-abc123").exists()
    assert (store / orphan[:2] / f"{orphan}.png").exists()  # never deleted: it may matter
    assert len(check(recorded).warnings) == 2


def test_repair_puts_back_a_file_an_interrupted_command_set_aside(recorded: Path) -> None:
    # `activity rm` sets a file aside before it commits; killed in between, the row stays.
    store = recorded.with_name("wmcj-files")
    stored = store / sha(PHOTO)[:2] / f"{sha(PHOTO)}.jpg"
    stored.replace(store / ".dropped-x1y2z3")
    (problem,) = check(recorded).problems
    assert "attachment '现场.jpg' is missing from the store" in problem
    assert "wmcj db check --repair" in problem

    report = check(recorded, repair=True)
    assert report.repaired == [f"put {sha(PHOTO)[:2]}/{sha(PHOTO)}.jpg back in the store"]
    assert report.ok and stored.read_bytes() == PHOTO
    assert not (store / ".dropped-x1y2z3").exists()


def test_repair_removes_a_set_aside_file_nobody_needs(recorded: Path) -> None:
    store = recorded.with_name("wmcj-files")
    (store / ".dropped-abc").write_bytes(b"a file removed by a command that then died")
    report = check(recorded, repair=True)
    assert report.repaired == ["removed .dropped-abc, a file no activity uses any more"]
    assert report.ok and not (store / ".dropped-abc").exists()


@pytest.mark.broken_db
def test_a_damaged_file_is_reported_not_crashed_on(run: Any, recorded: Path) -> None:
    database(recorded).close()
    data = bytearray(recorded.read_bytes())
    page = 4096
    for offset in range(page * 3, len(data) - page, page):
        data[offset + 100 : offset + 400] = os.urandom(300)
    recorded.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        recorded.with_name(recorded.name + suffix).unlink(missing_ok=True)
    result = run("db", "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert "problem: SQLite integrity check" in result.stdout or "damaged" in result.stderr


def test_a_backup_to_a_stick_without_hard_links(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT-formatted USB sticks cannot link; the copy is renamed into place instead."""

    def no_links(_source: Any, _target: Any) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr("wmcj.dbtools.os.link", no_links)
    target = tmp_path / "u盘.db"
    backup(db=database(recorded), target=target)
    assert count(target) == 2
    with pytest.raises(InputError, match="already exists"):
        backup(db=database(recorded), target=target)
    assert sorted(p.name for p in tmp_path.glob("u盘*")) == ["u盘-files", "u盘.db"]
