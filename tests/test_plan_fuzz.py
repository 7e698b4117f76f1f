"""Plan files as they arrive from editors, e-mail and accidents: never a crash, never code run.

Every input — the seed plan mutated byte by byte and line by line, random YAML
documents, random text — gets either a valid plan or located problems
(``FILE:LINE:COLUMN: message`` or ``FILE: message``), one line each.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wmcj.cli import app
from wmcj.errors import PlanInvalid
from wmcj.planfile import AREA_KEYS, TASK_KEYS, TOP_KEYS, PlanSpec, parse_plan

SEED = (Path(__file__).resolve().parent.parent / "plans" / "2018.yaml").read_bytes()
SEED_LINES = SEED.splitlines(keepends=True)
NAME = "plans/2018.yaml"
PROBLEM = re.compile(re.escape(NAME) + r"(:[1-9][0-9]*:[1-9][0-9]*)?: \S")
WMCJ = str(Path(sys.executable).with_name("wmcj"))

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(raw: bytes | str) -> PlanSpec | list[str]:
    """The plan, or its problems — after checking they are what the contract says."""
    try:
        return parse_plan(raw, NAME)
    except PlanInvalid as invalid:
        assert invalid.problems, "PlanInvalid without a problem"
        for problem in invalid.problems:
            assert "\n" not in problem and PROBLEM.match(problem), repr(problem)
        return invalid.problems


# -- mutations of the seed plan --------------------------------------------------------------

NASTY_LINES = [
    b"  !!python/object/apply:os.system ['echo pwned']\n",
    b"title: !!python/name:os.system\n",
    b"x: &a [*a, *a]\n",
    b"<<: *nowhere\n",
    b"\t- id: tab\n",
    b"\xef\xbb\xbfversion: 1\n",
    b"areas: !!set {a, b}\n",
    b"year: !!binary aGVsbG8=\n",
    b"due: 2018-02-30\n",
    b"on: [yes, no, on, off]\n",
    b"window: -1\n",
    b"weight: .inf\n",
    b"target: 99999999999999999999999999\n",
    b"evidence: {photos: 0}\n",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"? [complex, key]\n: value\n",
    b"\x00\n",
    b"\xff\xfe\n",
    "标题：中文冒号\n".encode(),
]


@st.composite
def mutated_seed(draw: st.DrawFn) -> bytes:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "swap", "insert", "cut"]))
        at = draw(st.integers(0, len(lines) - 1))
        if kind == "flip":
            line = bytearray(lines[at])
            if line:
                position = draw(st.integers(0, len(line) - 1))
                line[position] = draw(st.integers(0, 255))
            lines[at] = bytes(line)
        elif kind == "delete":
            del lines[at : at + draw(st.integers(1, 5))]
        elif kind == "duplicate":
            lines[at:at] = lines[at : at + draw(st.integers(1, 8))]
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "insert":
            lines.insert(at, draw(st.sampled_from(NASTY_LINES)))
        else:
            line = lines[at]
            lines[at] = line[: draw(st.integers(0, len(line)))]
        if not lines:
            break
    return b"".join(lines)


@FUZZ
@given(mutated_seed())
def test_a_mutated_seed_plan_is_valid_or_located(raw: bytes) -> None:
    outcome(raw)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_with_located_lines(raw: bytes) -> None:
    outcome(raw)


# -- random YAML documents --------------------------------------------------------------------

KEYS = st.sampled_from(sorted({*TOP_KEYS, *AREA_KEYS, *TASK_KEYS, "name", "date", "until"}))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2018-04-26", "04-26", "13-45", "week", "quarter", "qingming", "key-work"]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), inner, max_size=6),
    ),
    max_leaves=40,
)


@FUZZ
@given(DOCUMENTS)
def test_random_yaml_documents_are_valid_or_located(document: Any) -> None:
    outcome(yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(
    st.fixed_dictionaries(
        {"version": st.sampled_from([1, "1", 2, None]), "year": st.integers(1900, 2100)},
        optional={
            "unit": st.text(max_size=10),
            "title": st.text(max_size=10),
            "days": DOCUMENTS,
            "areas": st.lists(
                st.fixed_dictionaries(
                    {"id": st.text(max_size=10), "title": SCALARS},
                    optional={"tasks": st.lists(st.dictionaries(KEYS, DOCUMENTS), max_size=4)},
                ),
                max_size=3,
            ),
        },
    )
)
def test_plan_shaped_documents_are_valid_or_located(document: dict[str, Any]) -> None:
    outcome(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_seed())
def test_plan_check_answers_success_or_exit_2(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "plan.yaml"
        plan.write_bytes(raw)
        result = CliRunner().invoke(app, ["plan", "check", str(plan)])
        name = re.escape(str(plan))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        for line in result.stderr.splitlines():
            assert re.match(name + r"(:\d+:\d+)?: \S|error: ", line), line


# -- no code runs -----------------------------------------------------------------------------

PAYLOADS = [
    "version: 1\nyear: !!python/object/apply:os.system ['touch {marker}']\n",
    "!!python/object/apply:os.system ['touch {marker}']\n",
    "version: 1\nyear: 2018\nunit: x\ntitle: !!python/object/new:os.system ['touch {marker}']\n",
    "version: 1\n? !!python/object/apply:os.system ['touch {marker}']\n: 1\n",
    "version: 1\nareas: !!python/object/apply:subprocess.call [['touch', '{marker}']]\n",
    "version: 1\nyear: !!python/name:os.system\n",
    "version: 1\nyear: !!python/module:os\n",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_plan_file_never_runs_code(
    payload: str, tmp_path: Path, write_plan: Any, run: Any
) -> None:
    marker = tmp_path / "pwned"
    text = payload.format(marker=marker)
    problems = outcome(text)
    assert isinstance(problems, list)
    assert any("YAML tag 'tag:yaml.org,2002:python/" in p for p in problems)
    plan = write_plan(text)
    for command in ("check", "load"):
        assert run("plan", command, str(plan)).exit_code == 2
    done = subprocess.run([WMCJ, "plan", "check", str(plan)], capture_output=True, timeout=60)
    assert done.returncode == 2
    assert not marker.exists()


@pytest.mark.parametrize("where", ["days", "areas", "title"])
def test_an_alias_bomb_is_answered_quickly(where: str) -> None:
    """A billion laughs: nine levels of nine aliases, placed where the reader looks."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    bomb = "version: 1\nyear: 2018\nunit: x\ntitle: y\nbombs:\n" + "".join(
        f"  {line}\n" for line in lines
    )
    bomb += f"{where}: *a9\n"
    started = time.monotonic()
    problems = outcome(bomb)
    assert time.monotonic() - started < 5
    assert isinstance(problems, list)
    assert any(p.startswith(f"{NAME}:5:1: unknown key 'bombs'") for p in problems)
