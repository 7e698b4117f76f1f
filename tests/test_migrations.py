"""Upgrades: a database of the first schema opens in the current program with nothing lost.

``tests/fixtures/db-0001.sql`` was written by the first schema's own program (the
seed plan, activities with tags and attachments, a done mark).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support import build_0001
from wmcj.db import Database
from wmcj.models import SCHEMA_REVISION, SCHEMA_REVISIONS


def rows(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table of the first schema (only its columns)."""
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
        )
    ]
    found = {}
    for table in tables:
        columns = [c[1] for c in conn.execute(f"PRAGMA table_info('{table}')")]
        if table == "activity_tag":
            columns = ["activity_id", "tag"]
        listed = ", ".join(f'"{c}"' for c in columns)
        found[table] = set(conn.execute(f'SELECT {listed} FROM "{table}"'))
    conn.close()
    return found


def structure(path: Path) -> dict[str, Any]:
    """Tables, columns, indexes and foreign keys, as SQLite reports them (order-free)."""
    conn = sqlite3.connect(path)
    tables = sorted(
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    )
    shape: dict[str, Any] = {}
    for table in tables:
        columns = sorted(tuple(c[1:]) for c in conn.execute(f"PRAGMA table_info('{table}')"))
        indexes = sorted(
            (
                name,
                unique,
                origin,
                tuple(c[2] for c in conn.execute(f"PRAGMA index_info('{name}')")),
            )
            for _seq, name, unique, origin, _partial in conn.execute(
                f"PRAGMA index_list('{table}')"
            )
        )
        keys = sorted(tuple(k[2:]) for k in conn.execute(f"PRAGMA foreign_key_list('{table}')"))
        shape[table] = {"columns": columns, "indexes": indexes, "foreign_keys": keys}
    conn.close()
    return shape


def migrate(path: Path, revision: str) -> None:
    """An empty database brought to ``revision`` by Alembic alone."""
    from alembic import command
    from sqlalchemy import create_engine

    from wmcj.migrations import config

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(config(conn), revision)
    engine.dispose()


def revision_of(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return ",".join(r[0] for r in conn.execute("SELECT version_num FROM alembic_version"))
    finally:
        conn.close()


# -- the revisions ---------------------------------------------------------------------------


def test_packaged_head_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from wmcj.migrations import config

    scripts = ScriptDirectory.from_config(config())
    assert scripts.get_heads() == [SCHEMA_REVISION]
    history = [s.revision for s in scripts.walk_revisions("base", "heads")]
    assert tuple(reversed(history)) == SCHEMA_REVISIONS


def test_the_baseline_is_the_first_released_schema(tmp_path: Path) -> None:
    released = build_0001(tmp_path / "released.db")
    baseline = tmp_path / "baseline.db"
    migrate(baseline, "0001")
    assert structure(baseline) == structure(released)


def test_a_new_database_and_an_upgraded_one_are_the_same(tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.engine  # noqa: B018  (creates it)
    fresh.close()
    upgraded = build_0001(tmp_path / "old.db")
    Database(f"sqlite:///{upgraded}").engine.dispose()
    assert revision_of(tmp_path / "fresh.db") == revision_of(upgraded) == SCHEMA_REVISION
    assert structure(tmp_path / "fresh.db") == structure(upgraded)


def test_the_migrations_leave_nothing_for_autogenerate(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    path = tmp_path / "migrated.db"
    migrate(path, "head")
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert differences == []


# -- opening an older database ---------------------------------------------------------------


def test_an_old_database_is_upgraded_with_a_backup_and_nothing_lost(
    run: Any, db_path: Path
) -> None:
    build_0001(db_path)
    before = rows(db_path)

    result = run("activity", "list", "--format", "json", env={"WMCJ_TODAY": "2018-06-30"})

    assert result.exit_code == 0, result.stderr
    (backup,) = db_path.parent.glob("wmcj.db.bak-0001-*")
    assert result.stderr == (
        f"wmcj: upgraded the database {db_path} from schema 0001 to {SCHEMA_REVISION};"
        f" the old one is kept as {backup}\n"
    )
    assert revision_of(db_path) == SCHEMA_REVISION
    assert rows(db_path) == before
    # The copy is the database as it was: the old schema, every row.
    assert revision_of(backup) == "0001"
    assert rows(backup) == before
    assert "position" not in [c[1] for c in sqlite3.connect(backup).execute(
        "PRAGMA table_info('activity_tag')")]  # fmt: skip
    # Tags recorded before came back sorted; they still do.
    listed = {a["id"]: a for a in json.loads(result.stdout)}
    assert listed[1]["tags"] == ["宣传", "志愿服务", "知识产权"]
    assert listed[2]["tags"] == ["会议", "创建"]
    assert [a["name"] for a in listed[1]["attachments"]] == ["现场.jpg", "签到表.pdf"]
    assert (listed[1]["photos"], listed[1]["files"], listed[1]["note_chars"]) == (1, 1, 11)

    # The next command finds it current: no second upgrade, no second copy.
    again = run("task", "show", "annual-goal", "--format", "json", env={"WMCJ_TODAY": "2018-06-30"})
    assert again.exit_code == 0 and again.stderr == ""
    assert len(list(db_path.parent.glob("wmcj.db.bak-*"))) == 1
    task = json.loads(again.stdout)
    assert (task["status"], task["done"]) == ("done", "2018-03-31")


def test_after_the_upgrade_new_tags_keep_the_order_typed(run: Any, db_path: Path) -> None:
    build_0001(db_path)
    added = run(
        "activity", "add", "志愿服务进社区", "--date", "2018-05-05", "--task", "work-plan",
        "--tag", "志愿服务", "--tag", "社区,宣传",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    shown = run("activity", "show", "4", "--format", "json")
    assert json.loads(shown.stdout)["tags"] == ["志愿服务", "社区", "宣传"]


def test_a_development_database_without_a_revision_is_taken_as_the_baseline(
    run: Any, db_path: Path
) -> None:
    build_0001(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE alembic_version")
    conn.commit()
    conn.close()
    before = rows(db_path)
    result = run("plan", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "from schema 0001 to" in result.stderr
    assert revision_of(db_path) == SCHEMA_REVISION
    assert rows(db_path) == before


def test_a_newer_database_is_refused_and_left_alone(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    Database(f"sqlite:///{path}").engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    result = run("--db", str(path), "plan", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the database {path} was written by a newer wmcj (schema 0099; this wmcj knows"
        f" {SCHEMA_REVISION}); upgrade wmcj (e.g. pip install --upgrade wmcj) and try again\n"
    )
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("newer.db.bak-*"))


def test_a_failed_upgrade_changes_nothing(
    run: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wmcj.db

    real = wmcj.db._migrate

    def half_then_fail(conn: Any) -> None:
        real(conn)  # every step ran inside the transaction…
        raise OSError(5, "Input/output error")  # …and then the disk failed

    monkeypatch.setattr(wmcj.db, "_migrate", half_then_fail)
    build_0001(db_path)
    before = structure(db_path), rows(db_path)
    with pytest.raises(OSError):
        Database(f"sqlite:///{db_path}").engine  # noqa: B018
    assert revision_of(db_path) == "0001"
    assert (structure(db_path), rows(db_path)) == before

    monkeypatch.setattr(wmcj.db, "_migrate", real)
    assert run("plan", "list").exit_code == 0
    assert revision_of(db_path) == SCHEMA_REVISION


# -- the check stays cheap ----------------------------------------------------------------------

PROBE = """
import sys
from wmcj.cli import app
try:
    app(["plan", "list", "--format", "json"], prog_name="wmcj")
except SystemExit as exit:
    assert not exit.code, exit.code
print("alembic imported:", "alembic" in sys.modules, file=sys.stderr)
"""


def alembic_imported(db: Path) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={"WMCJ_DB": str(db), "PATH": "/usr/bin:/bin", "HOME": str(db.parent)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr.splitlines()[-1] == "alembic imported: True"


def test_checking_the_revision_does_not_import_alembic(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    assert alembic_imported(fresh) is False  # created: plain SQL stamps it
    assert alembic_imported(fresh) is False  # current: one query
    old = build_0001(tmp_path / "old.db")
    assert alembic_imported(old) is True  # an upgrade is due: now Alembic is needed
    assert alembic_imported(old) is False
