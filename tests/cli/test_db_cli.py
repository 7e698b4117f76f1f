"""``wmcj db`` as a user types it: path, backup, restore, check."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

WAL = ("-wal", "-shm")


@pytest.fixture
def recorded(run: Any, loaded: Path, db_path: Path, tmp_path: Path) -> Path:
    photo = tmp_path / "合影.jpg"
    photo.write_bytes(b"\xff\xd8 group photo")
    added = run(
        "activity", "add", "志愿服务", "--date", "2018-03-05", "--task", "work-plan",
        "--attach", str(photo),
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return db_path


def test_path_prints_the_database_and_its_store_and_creates_nothing(
    run: Any, tmp_path: Path
) -> None:
    result = run("db", "path")
    assert result.exit_code == 0
    assert result.stdout == f"{tmp_path / 'wmcj.db'}\n{tmp_path / 'wmcj-files'}\n"
    assert not (tmp_path / "wmcj.db").exists()
    other = run("--db", str(tmp_path / "office" / "创建.db"), "db", "path")
    assert (
        other.stdout == f"{tmp_path / 'office' / '创建.db'}\n{tmp_path / 'office' / '创建-files'}\n"
    )
    assert not (tmp_path / "office").exists()


def test_path_without_wmcj_db_is_in_the_user_data_folder(run: Any, tmp_path: Path) -> None:
    result = run("db", "path", env={"WMCJ_DB": ""})
    data = tmp_path / "home" / "data" / "wmcj"
    assert result.stdout == f"{data / 'wmcj.db'}\n{data / 'wmcj-files'}\n"


def test_backup(run: Any, recorded: Path, tmp_path: Path) -> None:
    target = tmp_path / "u盘" / "wmcj-2018-06-30.db"
    target.parent.mkdir()
    result = run("db", "backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"backed up the database to {target}\n"
        f"attachment files in {target.parent / 'wmcj-2018-06-30-files'}: 1 copied,"
        " 0 already there\n"
    )
    opened = run("--db", str(target), "activity", "list", "--format", "csv")
    assert "志愿服务" in opened.stdout and "合影.jpg" in opened.stdout
    assert run("--db", str(target), "db", "check").exit_code == 0

    again = run("db", "backup", str(target))
    assert again.exit_code == 2
    assert again.stderr == (
        f"error: {target} already exists; give another name, or --force to replace it\n"
    )
    forced = run("db", "backup", str(target), "--force", "--no-files")
    assert forced.exit_code == 0 and forced.stdout == f"backed up the database to {target}\n"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/b.db", "error: the folder {tmp}/missing does not exist; create it first\n"),
        (".", "error: {tmp} is a folder; give the backup a file name, e.g. {tmp}/wmcj-backup.db\n"),
        ("wmcj.db", "error: {tmp}/wmcj.db is the database itself; give the backup another name\n"),
    ],
)
def test_backup_refusals(
    run: Any, recorded: Path, tmp_path: Path, where: str, message: str
) -> None:
    target = tmp_path / where if where != "." else tmp_path
    result = run("db", "backup", str(target))
    assert result.exit_code == 2
    assert result.stderr == message.format(tmp=tmp_path)


@pytest.mark.broken_db
def test_a_backup_missing_a_file_says_so(run: Any, recorded: Path, tmp_path: Path) -> None:
    for stored in (tmp_path / "wmcj-files").rglob("*.jpg"):
        stored.unlink()
    result = run("db", "backup", str(tmp_path / "b.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: 1 attachment file(s) were missing from the store and are not in the backup: "
    )
    assert result.stderr.endswith("(合影.jpg); run: wmcj db check\n")


def test_check(run: Any, recorded: Path, tmp_path: Path) -> None:
    result = run("db", "check")
    assert result.exit_code == 0
    assert result.stdout == f"{recorded}: ok — 1 activities, 1 attachments checked\n"

    (tmp_path / "wmcj-files" / ".incoming-zz").write_bytes(b"x")
    warned = run("db", "check")
    assert warned.exit_code == 0
    assert warned.stdout.splitlines()[0] == (
        "warning: 1 partial file(s) left in the store by interrupted commands; remove them with:"
        " wmcj db check --repair"
    )
    repaired = run("db", "check", "--repair")
    assert repaired.stdout == (
        "repaired: removed a partial copy .incoming-zz\n"
        f"{recorded}: ok — 1 activities, 1 attachments checked\n"
    )


@pytest.mark.broken_db
def test_check_lists_problems_and_exits_1(run: Any, recorded: Path) -> None:
    conn = sqlite3.connect(recorded)
    conn.execute("UPDATE activity SET note_chars = 7")
    conn.execute("DELETE FROM activity_task")
    conn.commit()
    conn.close()
    result = run("db", "check")
    assert result.exit_code == 1
    assert result.stdout == (
        "problem: activity #1 counts for no task; link it: wmcj activity edit 1 --task ID\n"
        "problem: activity #1 says its note has 7 characters, but it has 0\n"
    )
    assert result.stderr == f"error: {recorded}: 2 problem(s) found; see the list above\n"


def test_check_in_chinese(run: Any, recorded: Path) -> None:
    result = run("--lang", "zh", "db", "check")
    assert result.exit_code == 0
    assert result.stdout == f"{recorded}：正常——已检查 1 项活动、1 个附件\n"


def test_check_without_a_database_creates_none(run: Any, tmp_path: Path) -> None:
    result = run("db", "check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: there is no database at {tmp_path / 'wmcj.db'} yet; the first command that"
        " records something creates it (e.g. wmcj plan load FILE)\n"
    )
    assert not (tmp_path / "wmcj.db").exists()


def test_restore(run: Any, recorded: Path, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    assert run("db", "backup", str(target)).exit_code == 0
    assert run("activity", "rm", "1", "--yes").exit_code == 0

    refused = run("db", "restore", str(target))
    assert refused.exit_code == 2
    assert refused.stderr == f"error: not replacing {recorded} without confirmation; pass --yes\n"

    result = run("db", "restore", str(target), "--yes")
    assert result.exit_code == 0, result.stderr
    (kept,) = tmp_path.glob("wmcj.db.bak-restore-*")
    assert result.stdout == (
        f"restored {recorded} from {target}\nthe database it replaced is kept as {kept}\n"
    )
    listed = run("activity", "list", "--format", "csv")
    assert "志愿服务" in listed.stdout


def test_restore_from_nothing(run: Any, recorded: Path, tmp_path: Path) -> None:
    result = run("db", "restore", str(tmp_path / "nope.db"), "--yes")
    assert result.exit_code == 2
    assert result.stderr == f"error: no such file: {tmp_path / 'nope.db'}\n"


@pytest.mark.parametrize("command", ["path", "backup", "restore", "check"])
def test_help_has_an_example(run: Any, command: str) -> None:
    result = run("db", command, "--help")
    assert result.exit_code == 0
    assert f"Example: wmcj db {command}" in result.stdout


@pytest.mark.broken_db
def test_restore_without_the_backups_files_says_so(
    run: Any, recorded: Path, tmp_path: Path
) -> None:
    target = tmp_path / "b.db"
    assert run("db", "backup", str(target), "--no-files").exit_code == 0
    for stored in (tmp_path / "wmcj-files").rglob("*.jpg"):
        stored.unlink()
    result = run("db", "restore", str(target), "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: 1 attachment file(s) of the backup were not beside it in {tmp_path / 'b-files'}: "
    )
    assert result.stderr.endswith("(合影.jpg); copy that folder too, or run: wmcj db check\n")


def test_restore_over_a_damaged_database(run: Any, recorded: Path, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    assert run("db", "backup", str(target)).exit_code == 0
    recorded.write_bytes(b"overwritten by accident")
    for suffix in WAL:
        recorded.with_name(recorded.name + suffix).unlink(missing_ok=True)
    assert run("activity", "list").exit_code == 1
    result = run("db", "restore", str(target), "--yes")
    assert result.exit_code == 0, result.stderr
    (kept,) = (p for p in tmp_path.glob("wmcj.db.bak-restore-*") if p.name[-4:] not in WAL)
    assert kept.read_bytes() == b"overwritten by accident"  # with its -wal and -shm, if any
    listed = run("activity", "list", "--format", "csv")
    assert listed.exit_code == 0 and "志愿服务" in listed.stdout
