"""Time whole wmcj processes against their floors and against Taskwarrior; write RESULTS.md.

Every wmcj command is a new process, so what counts is the whole process: this script
starts each command with ``subprocess``, many times, interleaved with the floors it is
compared with (so a busy machine slows both alike), and takes medians. Peak memory is
each process's own ``ru_maxrss`` (``os.wait4``).

    python benchmarks/run.py            # the full run: writes benchmarks/RESULTS.md
    python benchmarks/run.py --quick    # a smaller run (no million), to benchmarks/data/

Run it with the Python that has wmcj installed (the ``wmcj`` script beside it is what is
timed). Databases are built on first use and cached in ``benchmarks/data`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # beside this file

ROOT = generate.ROOT
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

#: The budgets of issue 6, each a ratio of two medians measured in the same run.
HELP_BUDGET = 2.0  # × python -c "import typer"
COMMAND_BUDGET = 1.3  # × python -c "import typer, sqlmodel, rich.table, yaml"
SCALE_BUDGET = 2.0  # report at 1M activities ÷ report at 1k
MEMORY_BUDGET_MIB = 150
SCALES = ("year", "city-1k", "city-10k", "decade", "city-100k", "city-1m")
QUICK_SCALES = ("year", "city-1k", "city-10k", "decade", "city-100k")


@dataclass
class Timing:
    """One command's runs: wall seconds and peak resident memory (KiB) of each."""

    label: str
    walls: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak_mib(self) -> float:
        return max(self.peaks) / 1024


@dataclass
class Command:
    label: str
    argv: list[str]
    env: dict[str, str]
    before: Callable[[int], None] | None = None  # called with the round number
    timing: Timing = field(init=False)

    def __post_init__(self) -> None:
        self.timing = Timing(self.label)


def run_once(command: Command, round_number: int) -> None:
    """Start the command, wait for it, record its wall time and peak memory.

    ``ru_maxrss`` of a child counts the memory of the process it was forked from until
    it runs the command: this runner imports nothing heavy (the databases are built by
    generate.py in a process of its own), so that floor is about 20 MiB.
    """
    if command.before is not None:
        command.before(round_number)
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command.argv,
            env=command.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(
                f"{command.label} failed (exit {process.returncode}): {' '.join(command.argv)}\n"
                + errors.read().decode(errors="replace")
            )
    command.timing.walls.append(elapsed)
    command.timing.peaks.append(usage.ru_maxrss)


def interleave(commands: Sequence[Command], rounds: int, title: str) -> None:
    """One warm-up run each (compiles bytecode, fills the page cache), then ``rounds``
    rounds in which every command runs once, in turn.
    """
    print(f"{title}: {len(commands)} commands × {rounds} rounds", file=sys.stderr, flush=True)
    for command in commands:
        run_once(command, -1)
        command.timing.walls.clear()
        command.timing.peaks.clear()
    for number in range(rounds):
        for command in commands:
            run_once(command, number)


# -- what is timed -------------------------------------------------------------------------


def wmcj_argv() -> list[str]:
    """The ``wmcj`` script installed beside this Python, as users run it."""
    script = Path(sys.executable).with_name("wmcj")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "wmcj"]


def base_env(home: Path) -> dict[str, str]:
    """A clean environment: no user settings, bytecode cached as on a user's machine."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WMCJ_", "TASK", "PYTHON", "LC_", "XDG_", "COLUMNS", "NO_COLOR"))
    }
    env |= {"HOME": str(home), "LANG": "C.UTF-8", "WMCJ_LANG": "zh"}
    return env


def python(code: str, env: dict[str, str], label: str) -> Command:
    return Command(label, [sys.executable, "-c", code], env)


FLOOR_TYPER = "import typer"
FLOOR_STACK = "import typer, sqlmodel, rich.table, yaml"


@dataclass
class Scale:
    name: str
    shape: generate.Shape
    db: Path
    taskrc: Path | None
    tw_tasks: int
    commands: dict[str, Command] = field(default_factory=dict)


def scale_commands(scale: Scale, wmcj: list[str], env: dict[str, str], task: str | None) -> None:
    today = scale.shape.today
    wenv = env | {"WMCJ_DB": str(scale.db), "WMCJ_TODAY": today.isoformat()}
    add = [
        *wmcj,
        "activity",
        "add",
        "基准测试：集中学习",
        "--date",
        today.isoformat(),
        "--task",
        "work-plan",
        "--tag",
        "学习",
        "--people",
        "12",
        "--note",
        "组织全体干部职工集中学习。",
    ]
    scale.commands = {
        "add": Command(f"{scale.name}: wmcj activity add", add, wenv),
        "report": Command(f"{scale.name}: wmcj report", [*wmcj, "report"], wenv),
        "summary": Command(f"{scale.name}: wmcj summary", [*wmcj, "summary"], wenv),
        "show": Command(
            f"{scale.name}: wmcj task show", [*wmcj, "task", "show", "work-plan"], wenv
        ),
    }
    if task is not None and scale.taskrc is not None:
        tenv = env | {"TASKRC": str(scale.taskrc)}
        scale.commands["task add"] = Command(
            f"{scale.name}: task add",
            [task, "add", "基准测试：集中学习", f"project:y{today.year}.leadership", "+学习"],
            tenv,
        )
        scale.commands["task summary"] = Command(
            f"{scale.name}: task summary", [task, "summary"], tenv
        )


# -- the report ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ("wmcj", "typer", "sqlmodel", "SQLAlchemy", "pydantic", "rich", "PyYAML"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} ?")
    return ", ".join(parts)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes" if dirty else "")


def crossing_text(scales: list[Scale]) -> str:
    """Where ``wmcj report`` overtakes ``task summary``, in words."""
    ordered = sorted(scales, key=lambda s: (s.shape.activities, s.name))

    def faster(scale: Scale) -> bool:
        c = scale.commands
        return c["report"].timing.median < c["task summary"].timing.median

    first = next((i for i in range(len(ordered)) if all(faster(s) for s in ordered[i:])), None)
    if first is None:
        return "`wmcj report` is not faster than `task summary` at any size measured here."
    here = ordered[first]
    text = (
        f"`wmcj report` is faster than `task summary` from {here.shape.activities:,} records"
        f" up ({here.name}: {ms(here.commands['report'].timing.median)} against"
        f" {ms(here.commands['task summary'].timing.median)})."
    )
    if first > 0:
        below = ordered[first - 1]
        text += (
            " Below that, Taskwarrior (C++, no interpreter to start) is faster"
            f" ({below.name}: {ms(below.commands['task summary'].timing.median)} against"
            f" {ms(below.commands['report'].timing.median)}): the two cross between"
            f" {below.shape.activities:,} and {here.shape.activities:,} records."
        )
    return text


def write_results(
    out: Path,
    *,
    startup: dict[str, Command],
    year: dict[str, Command],
    scales: list[Scale],
    task_version: str | None,
    rounds: tuple[int, int, int],
    quick: bool,
    built_in: float,
    started: float,
) -> list[tuple[str, bool]]:
    """RESULTS.md: the budgets with pass/fail, then every figure behind them."""
    budgets: list[tuple[str, str, str, bool]] = []  # what, measured, limit, ok
    typer_floor = startup["floor"].timing.median
    for key in ("help", "version"):
        ratio = startup[key].timing.median / typer_floor
        budgets.append(
            (
                f'`wmcj --{key}` ÷ `python -c "import typer"`',
                f"{ratio:.2f}×",
                f"≤ {HELP_BUDGET:g}×",
                ratio <= HELP_BUDGET,
            )
        )
    stack_floor = year["floor"].timing.median
    for key, what in (("add", "activity add"), ("report", "report"), ("summary", "summary")):
        ratio = year[key].timing.median / stack_floor
        budgets.append(
            (
                f'`wmcj {what}` on one unit\'s year ÷ `python -c "{FLOOR_STACK}"`',
                f"{ratio:.2f}×",
                f"≤ {COMMAND_BUDGET:g}×",
                ratio <= COMMAND_BUDGET,
            )
        )
    by_name = {s.name: s for s in scales}
    if "city-1m" in by_name:
        big = by_name["city-1m"].commands
        ratio = big["report"].timing.median / by_name["city-1k"].commands["report"].timing.median
        budgets.append(
            (
                "`wmcj report` at 1,000,000 activities ÷ at 1,000 (city shape)",
                f"{ratio:.2f}×",
                f"≤ {SCALE_BUDGET:g}×",
                ratio <= SCALE_BUDGET,
            )
        )
        peak = max(c.timing.peak_mib for k, c in big.items() if not k.startswith("task"))
        budgets.append(
            (
                "peak memory of any wmcj command at 1,000,000 activities",
                f"{peak:.0f} MiB",
                f"≤ {MEMORY_BUDGET_MIB} MiB",
                peak <= MEMORY_BUDGET_MIB,
            )
        )
    crossing = ""
    if task_version is not None:
        big_ones = [s for s in scales if s.shape.activities >= 100_000]
        worst = max(
            s.commands[k].timing.median / s.commands["task summary"].timing.median
            for s in big_ones
            for k in ("report", "summary")
        )
        budgets.append(
            (
                "`wmcj report` and `wmcj summary` ÷ `task summary`, from 100,000 records up"
                " (the slowest)",
                f"{worst:.2f}×",
                "< 1×",
                worst < 1,
            )
        )
        crossing = crossing_text(scales)
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py`"
        + (" **--quick** (not the committed figures)" if quick else "")
        + f" on {date.today().isoformat()}: {os.cpu_count()} CPUs ({cpu_model()}),"
        f" Python {platform.python_version()}, {versions()}; commit {git_commit()}.",
        "Each figure is the median wall time of whole processes (started with `subprocess`,"
        " output to /dev/null, so not a terminal), run in interleaved rounds together with the"
        f" floors they are compared with: {rounds[0]} rounds at start-up, {rounds[1]} on one"
        f" unit's year, {rounds[2]} across the sizes; one warm-up run each first."
        " Peak memory is the largest `ru_maxrss` of a command's runs (at least the runner's"
        " own size, which a child counts until it starts the command: about 20 MiB).",
        "",
        "## Budgets",
        "",
        "| budget | measured | limit | result |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [
        f"| {what} | {measured} | {limit} | {verdict(ok)} |"
        for what, measured, limit, ok in budgets
    ]
    lines += [
        "",
        "How: `--help` and `--version` load neither the database stack nor Rich (plain help;"
        " a command's module is imported, and built by Typer, only when it runs); everyday"
        " commands import only what they use (YAML and the lunar calendar only in `plan"
        " load`); opening a database checks its schema with one query; progress is one"
        " aggregate query per plan over a covering index (`ix_activity_plan_tally`), the same"
        " number of queries at any size; and the process ends with `gc.freeze()` once the"
        " command has closed its database.",
        "",
        "Why some ratios are below 1: the floors end like any Python process, with a last"
        " collection over every object SQLAlchemy and pydantic made (about a third of"
        f' `python -c "{FLOOR_STACK}"`); wmcj freezes the collector instead, so it skips'
        " that walk.",
    ]
    lines += [
        "",
        "## Start-up (no database)",
        "",
        "| command | median | ÷ `import typer` | peak memory |",
        "| --- | ---: | ---: | ---: |",
    ]
    for command in startup.values():
        lines.append(
            f"| `{command.label}` | {ms(command.timing.median)}"
            f" | {command.timing.median / typer_floor:.2f}× | {command.timing.peak_mib:.0f} MiB |"
        )
    lines += [
        "",
        "## One unit's year (the 2018 plan, 500 activities)",
        "",
        f"| command | median | ÷ `{FLOOR_STACK}` | peak memory |",
        "| --- | ---: | ---: | ---: |",
    ]
    for command in year.values():
        lines.append(
            f"| `{command.label}` | {ms(command.timing.median)}"
            f" | {command.timing.median / stack_floor:.2f}× | {command.timing.peak_mib:.0f} MiB |"
        )
    lines += [
        "",
        "## At every size, side by side with Taskwarrior",
        "",
    ]
    if task_version is None:
        lines += [
            "Taskwarrior is not installed here (Debian: `apt-get install taskwarrior`), so its"
            " columns are left out.",
            "",
        ]
    else:
        lines += [
            f"Taskwarrior {task_version} holds the same records: every activity as a completed"
            " task (project = year.area, its tags) and every plan task as a pending one; its"
            " data files are written in the format `task import` writes (checked against"
            " `task import` on each build), because `task import` itself takes minutes at"
            " 100,000 tasks. Its own taskrc: `confirmation=off`, `hooks=off`, `verbose=nothing`.",
            "",
        ]
    head = (
        "| database | activities | `wmcj activity add` | `wmcj report` | `wmcj summary`"
        " | `wmcj task show` | wmcj peak memory |"
    )
    rule = "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    if task_version is not None:
        head += " Taskwarrior tasks | `task add` | `task summary` | task peak memory |"
        rule += " ---: | ---: | ---: | ---: |"
    lines += [head, rule]
    for scale in scales:
        c = scale.commands
        peak = max(c[k].timing.peak_mib for k in ("add", "report", "summary", "show"))
        row = (
            f"| {scale.name} | {scale.shape.activities:,} | {ms(c['add'].timing.median)}"
            f" | {ms(c['report'].timing.median)} | {ms(c['summary'].timing.median)}"
            f" | {ms(c['show'].timing.median)} | {peak:.0f} MiB |"
        )
        if task_version is not None:
            tpeak = max(c[k].timing.peak_mib for k in ("task add", "task summary"))
            row += (
                f" {scale.tw_tasks:,} | {ms(c['task add'].timing.median)}"
                f" | {ms(c['task summary'].timing.median)} | {tpeak:.0f} MiB |"
            )
        lines.append(row)
    lines.append("")
    if crossing:
        lines += [crossing, ""]
    lines += [
        "## The databases",
        "",
        "Built by `benchmarks/generate.py` through wmcj's own code (plans checked by"
        " `wmcj.planfile` and loaded by `wmcj.plans.load_plan`; activities inserted in"
        " batches with SQLAlchemy Core on the models' tables): 1–3 tasks per activity, 0–3"
        " tags, notes, photo and file attachment rows, dates over the whole year (fewer at"
        " weekends). The commands run as of the last day of the latest plan's year"
        " (`WMCJ_TODAY`), in Chinese (`WMCJ_LANG=zh`), on a copy of each database.",
        "",
        "| database | what it is |",
        "| --- | --- |",
    ]
    lines += [f"| {s.name} | {s.shape.what} |" for s in scales]
    lines += [
        "",
        "A city's scale: the schema holds one plan per year, so a city is modelled as twenty"
        " years of a 200-task plan (the 2018 plan's tasks repeated with new ids), 50,000"
        " activities a year at a million — the rows a city office's database would hold, and"
        " the report reads one year of them.",
        "",
        f"This run took {time.perf_counter() - started:.0f} s, {built_in:.0f} s of it building"
        " the databases (none when they are cached; from a fresh clone about three minutes,"
        " most of it the million)."
        " Rerun: `python benchmarks/run.py`; `python benchmarks/run.py --quick` for a smaller"
        " run (no million, fewer rounds) that writes `benchmarks/data/RESULTS-quick.md`.",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return [(what, ok) for what, _m, _l, ok in budgets]


# -- main ----------------------------------------------------------------------------------------


def taskwarrior() -> tuple[str | None, str | None]:
    binary = shutil.which("task")
    if binary is None:
        return None, None
    try:
        found = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None, None
    return binary, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no million")
    parser.add_argument(
        "--rounds", type=int, help="rounds per group (default 21/11/7, quick 7/5/3)"
    )
    parser.add_argument("--out", type=Path, help="where to write the Markdown table")
    parser.add_argument("--no-taskwarrior", action="store_true", help="leave Taskwarrior out")
    options = parser.parse_args(argv)

    started = time.perf_counter()
    rounds = (7, 5, 3) if options.quick else (21, 11, 7)
    if options.rounds:
        rounds = (options.rounds,) * 3
    out = options.out or (generate.DATA / "RESULTS-quick.md" if options.quick else RESULTS)
    task, task_version = (None, None) if options.no_taskwarrior else taskwarrior()
    if task is None and not options.no_taskwarrior:
        print("Taskwarrior (task) not found: its columns are left out", file=sys.stderr)
    names = QUICK_SCALES if options.quick else SCALES

    build_started = time.perf_counter()
    # Built in a process of their own: this one stays small (see run_once).
    generator = [sys.executable, str(Path(generate.__file__)), "--json", *names]
    if task is not None:
        generator[3:3] = ["--taskwarrior", task]
    listing = subprocess.run(generator, stdout=subprocess.PIPE, check=True, text=True).stdout
    built = {
        name: (Path(entry["db"]), entry["taskrc"] and Path(entry["taskrc"]), entry["tasks"])
        for name, entry in json.loads(listing).items()
    }
    built_in = time.perf_counter() - build_started

    wmcj = wmcj_argv()
    with tempfile.TemporaryDirectory(prefix="wmcj-bench-") as temp:
        work = Path(temp)
        home = work / "home"
        home.mkdir()
        env = base_env(home)

        startup = {
            "floor": python(FLOOR_TYPER, env, f'python -c "{FLOOR_TYPER}"'),
            "pass": python("pass", env, 'python -c "pass"'),
            "help": Command("wmcj --help", [*wmcj, "--help"], env),
            "version": Command("wmcj --version", [*wmcj, "--version"], env),
        }
        interleave(list(startup.values()), rounds[0], "start-up")

        scales: list[Scale] = []
        for name in names:
            db, rc, count = built[name]
            copy = work / f"{name}.db"
            shutil.copyfile(db, copy)
            taskrc = None
            if rc is not None:
                folder = work / f"tw-{name}"
                shutil.copytree(rc.parent, folder)
                taskrc = generate.taskwarrior_rc(folder)
            scale = Scale(name, generate.SHAPES[name], copy, taskrc, count)
            scale_commands(scale, wmcj, env, task)
            scales.append(scale)

        year_scale = scales[0]
        fresh = work / "fresh"
        fresh.mkdir()

        def fresh_db(number: int) -> None:
            shutil.rmtree(fresh)
            fresh.mkdir()

        load = Command(
            "wmcj plan load (new database)",
            [*wmcj, "--db", str(fresh / "new.db"), "plan", "load", str(generate.SEED_PLAN)],
            env,
            before=fresh_db,
        )
        year = {
            "floor": python(FLOOR_STACK, env, f'python -c "{FLOOR_STACK}"'),
            "add": year_scale.commands["add"],
            "report": year_scale.commands["report"],
            "summary": year_scale.commands["summary"],
            "show": year_scale.commands["show"],
            "load": load,
        }
        for command in year.values():
            command.label = command.label.removeprefix("year: ")
        interleave(list(year.values()), rounds[1], "one unit's year")

        # The same commands again at every size, in one interleaved loop (fresh timings).
        for scale in scales:
            scale_commands(scale, wmcj, env, task)
        everything = [c for s in scales for c in s.commands.values()]
        interleave(everything, rounds[2], "every size")

        results = write_results(
            out,
            startup=startup,
            year=year,
            scales=scales,
            task_version=task_version,
            rounds=rounds,
            quick=options.quick,
            built_in=built_in,
            started=started,
        )
    print(out.read_text(encoding="utf-8"))
    failed = [what for what, ok in results if not ok]
    for what in failed:
        print(f"budget missed: {what}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
