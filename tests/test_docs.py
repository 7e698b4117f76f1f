"""Help and completion: every command explains itself with an example; the shell completes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from wmcj.cli import app

WMCJ = Path(sys.executable).parent / "wmcj"


def walk(command: Any, path: str) -> list[tuple[str, Any]]:
    """Every group and command under ``command``, with its full name."""
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += walk(sub, f"{path} {name}")
    return found


COMMANDS = walk(typer.main.get_command(app), "wmcj")


def test_the_walk_finds_the_commands() -> None:
    names = {path for path, _command in COMMANDS}
    assert {"wmcj summary", "wmcj plan load", "wmcj config set", "wmcj cron"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _c in COMMANDS])
def test_every_command_and_group_has_help(path: str, command: Any) -> None:
    assert (command.help or "").strip(), f"{path} has no help text"


@pytest.mark.parametrize(
    ("path", "command"),
    [(p, c) for p, c in COMMANDS if not hasattr(c, "commands") or p == "wmcj"],
    ids=[p for p, c in COMMANDS if not hasattr(c, "commands") or p == "wmcj"],
)
def test_every_command_shows_an_example(path: str, command: Any, run: Any) -> None:
    assert "Example: wmcj " in (command.help or ""), f"{path} --help has no 'Example: wmcj …'"
    result = run(*path.split()[1:], "--help")
    assert result.exit_code == 0, result.stderr
    assert "Example: wmcj " in result.stdout


# -- completion ---------------------------------------------------------------------------


def shell(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed wmcj in a clean HOME; Typer's own switch names the shell, so the
    test does not depend on the shell that runs pytest.
    """
    return subprocess.run(
        [str(WMCJ), *args],
        env={
            **os.environ,
            "HOME": str(home),
            "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "marker"),
    [("bash", "complete -o default -F _wmcj_completion wmcj"), ("zsh", "#compdef wmcj")],
)
def test_show_completion(name: str, marker: str, tmp_path: Path) -> None:
    result = shell(["--show-completion", name], tmp_path)
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    assert f"_WMCJ_COMPLETE=complete_{name}" in result.stdout


def test_install_completion_for_bash(tmp_path: Path) -> None:
    result = shell(["--install-completion", "bash"], tmp_path)
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "wmcj.sh"
    assert "_wmcj_completion" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


def test_install_completion_for_zsh(tmp_path: Path) -> None:
    result = shell(["--install-completion", "zsh"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "#compdef wmcj" in (tmp_path / ".zfunc" / "_wmcj").read_text()
    assert "compinit" in (tmp_path / ".zshrc").read_text()


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("wmcj pl", "1", ["plan"]),
        ("wmcj c", "1", ["calendar", "config", "cron"]),
        ("wmcj config s", "2", ["set", "show"]),
    ],
)
def test_completing_words(words: str, cword: str, expected: list[str], tmp_path: Path) -> None:
    """What the installed bash script asks: ``_WMCJ_COMPLETE=complete_bash`` with the words."""
    result = shell([], tmp_path, _WMCJ_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword)
    assert result.returncode == 0, result.stderr
    # Other commands may come to share a prefix: the expected ones must be offered, and
    # only words with the prefix.
    offered = result.stdout.split()
    assert set(expected) <= set(offered)
    assert all(word.startswith(words.split()[-1]) for word in offered)


def test_completing_in_zsh(tmp_path: Path) -> None:
    result = shell([], tmp_path, _WMCJ_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="wmcj cr")
    assert result.returncode == 0, result.stderr
    assert "cron" in result.stdout
