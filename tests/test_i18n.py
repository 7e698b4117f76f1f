"""Two languages: every message has its Chinese, and no English leaks into Chinese output."""

from __future__ import annotations

import ast
import re
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from wmcj.catalog_zh import MESSAGES
from wmcj.db import Database

SOURCE = Path(__file__).resolve().parent.parent / "src" / "wmcj"
SOURCES = sorted(p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*.py"))


def messages_in(path: Path) -> list[tuple[int, str | None]]:
    """(line, message) of every ``_(...)`` call; None where the message is not a literal."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            literal = node.args[0] if node.args else None
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                found.append((node.lineno, literal.value))
            else:
                found.append((node.lineno, None))
    return found


def fields(message: str) -> set[str]:
    """The placeholder names of a format string: ``{n:02d}`` is ``n``."""
    return {
        name for _text, name, _spec, _conv in string.Formatter().parse(message) if name is not None
    }


def test_the_scan_finds_messages() -> None:
    assert len([m for source in SOURCES for m in messages_in(SOURCE / source)]) > 100, (
        "the AST scan found almost no _() calls: is it still looking in the right place?"
    )


@pytest.mark.parametrize("source", SOURCES)
def test_every_message_has_its_chinese(source: str) -> None:
    missing = [
        f"{source}:{line}: {message!r}"
        for line, message in messages_in(SOURCE / source)
        if message is not None and message not in MESSAGES
    ]
    assert not missing, "no Chinese in catalog_zh.py for:\n" + "\n".join(missing)


def test_placeholders_match_between_english_and_chinese() -> None:
    wrong = [
        f"{english!r}: {sorted(fields(english))} vs {sorted(fields(chinese))}"
        for english, chinese in MESSAGES.items()
        if fields(english) != fields(chinese)
    ]
    assert not wrong, "\n".join(wrong)


def test_chinese_entries_are_chinese() -> None:
    """An entry whose English has words outside its placeholders must have Chinese in it."""

    def words(message: str) -> str:
        return re.sub(r"\{[^}]*\}", "", message)

    untranslated = [
        english
        for english, chinese in MESSAGES.items()
        if re.search("[A-Za-z]{2,}", words(english)) and not re.search("[\u4e00-\u9fff]", chinese)
    ]
    assert untranslated == []


# -- whole outputs in both languages ----------------------------------------------------

COMMANDS = [
    ["report", "--as-of", "2018-06-30"],
    ["report", "--as-of", "2018-06-30", "--format", "markdown"],
    ["report", "--as-of", "2018-06-30", "--format", "csv"],
    ["summary", "--week", "2018-W15"],
    ["summary", "--week", "2018-W15", "--format", "markdown"],
    ["plan", "list"],
    ["plan", "show"],
    ["calendar"],
    ["task", "list"],
    ["task", "show", "work-meetings"],
    ["activity", "list"],
    ["activity", "show", "1"],
]


def ascii_words(text: str) -> set[str]:
    """Runs of two or more ASCII letters (a lone T or W sits in ISO dates and weeks)."""
    return set(re.findall(r"[A-Za-z]{2,}", text))


@pytest.fixture
def worked(loaded: Path, db_path: Path) -> set[str]:
    """The seed plan with a few activities and a done mark; returns the words plan text may show."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Area, Completion, NamedDay, Plan, Task

    database = Database(f"sqlite:///{db_path}")
    with database.write() as session:
        plan = session.exec(select(Plan)).one()
        tasks = {t.key: t for t in session.exec(select(Task))}
        for day, title, keys in [
            ("2018-04-10", "召开一季度创建工作会议", ["work-meetings", "daily-management"]),
            ("2018-04-12", "4S管理检查", ["4s-management"]),
        ]:
            activity = Activity(plan_id=plan.id, date=date.fromisoformat(day), title=title)
            session.add(activity)
            session.flush()
            for key in keys:
                session.add(ActivityTask(activity_id=activity.id, task_id=tasks[key].id))
        session.add(Completion(task_id=tasks["work-plan"].id, date=date(2018, 4, 11)))
        session.flush()
        # Plan text is shown as written: its ASCII words (ids, "4S", "wmcj") are not leaks.
        texts: list[Any] = [plan.title, plan.unit, plan.target, plan.leader, plan.office]
        for area in session.exec(select(Area)):
            texts += [area.key, area.title, area.owner]
        for task in tasks.values():
            texts += [task.key, task.title, task.owner, task.unit, *(task.on or [])]
        for day in session.exec(select(NamedDay)):
            texts += [day.key, day.name]
        texts += [a.title for a in session.exec(select(Activity))]
    database.close()
    return set().union(*(ascii_words(t) for t in texts if t)) | {"wmcj"}


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_chinese_output_has_no_english(run: Any, worked: set[str], args: list[str]) -> None:
    result = run("--lang", "zh", *args, env={"WMCJ_TODAY": "2018-06-30"})
    assert result.exit_code == 0, result.stderr
    leaked = ascii_words(result.stdout) - worked
    assert not leaked, f"English in the Chinese output of wmcj {' '.join(args)}: {sorted(leaked)}"
    assert re.search("[\u4e00-\u9fff]", result.stdout)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_english_output(run: Any, worked: set[str], args: list[str]) -> None:
    result = run("--lang", "en", *args, env={"WMCJ_TODAY": "2018-06-30"})
    assert result.exit_code == 0, result.stderr
    assert ascii_words(result.stdout) - worked, "no English words at all"


def test_language_follows_the_environment(run: Any, worked: set[str]) -> None:
    args = ["summary", "--week", "2018-W15"]
    assert run(*args, env={"LANG": "zh_CN.UTF-8"}).stdout.startswith("创建工作周报 2018-W15")
    assert run(*args, env={"WMCJ_LANG": "en", "LANG": "zh_CN.UTF-8"}).stdout.startswith(
        "Weekly summary 2018-W15"
    )
    assert run(*args, env={"LC_ALL": "C"}).stdout.startswith("Weekly summary")
