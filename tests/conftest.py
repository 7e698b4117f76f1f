"""Shared fixtures: every test gets its own data folder, database and clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wmcj.cli import app
from wmcj.i18n import set_language

ROOT = Path(__file__).resolve().parent.parent
PLAN_2018 = ROOT / "plans" / "2018.yaml"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch real user data, a real clock or the developer's locale."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("WMCJ_DB", str(tmp_path / "wmcj.db"))
    for var in (
        "WMCJ_TODAY",
        "WMCJ_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "NO_COLOR",
        "WMCJ_DEBUG",
        # Settings from the developer's shell must not reach the tests (issue 8).
        "WMCJ_CONFIG",
        "WMCJ_MAIL_HOST",
        "WMCJ_MAIL_PORT",
        "WMCJ_MAIL_SECURITY",
        "WMCJ_MAIL_USER",
        "WMCJ_MAIL_FROM",
        "WMCJ_WEBHOOK_URL",
        "WMCJ_WEBHOOK_KIND",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    set_language(None)
    yield tmp_path
    set_language(None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "broken_db: the test leaves a broken database on purpose; skip the db check"
    )


@pytest.fixture(autouse=True)
def db_check_passes(isolated: Path, request: pytest.FixtureRequest):
    """``wmcj db check`` passes on every database the test suite builds (at WMCJ_DB)."""
    yield
    path = isolated / "wmcj.db"
    if not path.is_file() or request.node.get_closest_marker("broken_db"):
        return
    from wmcj.db import Database
    from wmcj.dbtools import check_database

    database = Database(f"sqlite:///{path}")
    try:
        report = check_database(db=database)
    finally:
        database.close()
    assert report.ok, "wmcj db check fails on the test's database:\n" + "\n".join(report.problems)


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated / "wmcj.db"


class Run:
    """Invoke wmcj in-process; results carry exit code, stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None):
        set_language(None)
        result = self.runner.invoke(app, list(args), env=env, input=input)
        set_language(None)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a plan file from text and return its path."""

    def write(text: str, name: str = "plan.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def loaded(run: Run) -> Path:
    """The seed plan (plans/2018.yaml) loaded into the test database."""
    result = run("plan", "load", str(PLAN_2018))
    assert result.exit_code == 0, result.stderr
    return PLAN_2018


def env_without_wmcj() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WMCJ_")}
