"""Build the benchmark databases, through wmcj's own code, and Taskwarrior's data beside them.

Shapes (see RESULTS.md for what each stands for):

* ``year``   — one unit's year: ``plans/2018.yaml`` and 500 activities.
* ``decade`` — ten years of that unit: the 2018 plan rewritten for 2015–2024, 100,000
  activities (10,000 a year).
* ``city-N`` — a city's scale: 20 plans (2005–2024) of 200 tasks each, N activities
  spread evenly over them; N is 1,000, 10,000, 100,000 or 1,000,000. The schema holds
  one plan per year, so "a city" is twenty years of a 200-task plan (a city office's
  plan, or twenty units' plans merged): the same rows a city's database would hold.

Plans are checked by ``wmcj.planfile.read_plan`` and loaded by ``wmcj.plans.load_plan``
into a database opened by ``wmcj.db.Database`` (so the schema and its revision are
the program's own). Activities go in through SQLAlchemy Core on the models' tables,
in batches: 1–3 tasks each, 0–3 tags, notes long enough for some evidence rules, photo
and file attachment rows with the matching counts, dates over the whole year (fewer at
weekends). Everything is seeded: the same command builds the same rows.

Run ``python benchmarks/generate.py [NAME…]`` to build databases alone; ``benchmarks/run.py``
runs it for the ones it needs. They are cached in ``benchmarks/data`` (git-ignored) and
rebuilt when ``GENERATOR_VERSION``, the seed plan or the schema revision changes.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
SEED_PLAN = ROOT / "plans" / "2018.yaml"
SEED_YEAR = 2018
#: Bump when the rows generated change, so cached databases are rebuilt.
GENERATOR_VERSION = 1
BATCH = 20_000


@dataclass(frozen=True)
class Shape:
    """A database to build: which plans, how many tasks each, how many activities in all."""

    name: str
    years: tuple[int, ...]
    tasks_per_plan: int | None  # None: the plan as written (64 tasks)
    activities: int
    what: str

    @property
    def today(self) -> date:
        """The day the benchmark runs 'on': the end of the latest plan's year."""
        return date(self.years[-1], 12, 31)


CITY_YEARS = tuple(range(2005, 2025))
SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        Shape("year", (2018,), None, 500, "one unit's year: the 2018 plan, 500 activities"),
        Shape(
            "decade",
            tuple(range(2015, 2025)),
            None,
            100_000,
            "ten years of the unit: 10 plans (2015–2024, 64 tasks), 100,000 activities",
        ),
        *(
            Shape(
                f"city-{label}",
                CITY_YEARS,
                200,
                count,
                f"a city's scale: 20 plans (2005–2024) × 200 tasks, {count:,} activities",
            )
            for label, count in (
                ("1k", 1_000),
                ("10k", 10_000),
                ("100k", 100_000),
                ("1m", 1_000_000),
            )
        ),
    )
}


# -- plans ------------------------------------------------------------------------------


def plan_text(year: int, tasks_per_plan: int | None) -> str:
    """The 2018 plan rewritten for ``year`` (its year, title and dates); with
    ``tasks_per_plan``, its tasks repeated (ids suffixed -2, -3…) up to that many.
    """
    text = SEED_PLAN.read_text(encoding="utf-8")
    # Every "2018" in the file is the plan's year: the key, the title, the dates of days.
    text = text.replace(str(SEED_YEAR), str(year))
    if tasks_per_plan is None:
        return text
    return _repeat_tasks(text, tasks_per_plan)


def _repeat_tasks(text: str, wanted: int) -> str:
    """Append copies of each area's tasks to it (new ids, titles marked) until ``wanted``.

    Done on the text, not by a YAML round trip: PyYAML would read the key ``on`` as True.
    """
    lines = text.splitlines(keepends=True)
    # Areas start with "  - id:", tasks with "      - id:"; a task runs to the next of either.
    starts = [i for i, line in enumerate(lines) if line.startswith(("  - id:", "      - id:"))]
    blocks: list[tuple[int, int]] = list(zip(starts, [*starts[1:], len(lines)], strict=True))
    areas: list[list[list[str]]] = []
    for first, last in blocks:
        if lines[first].startswith("  - id:"):
            areas.append([])
        else:
            areas[-1].append(lines[first:last])
    count = sum(len(tasks) for tasks in areas)
    extra: list[list[str]] = [[] for _ in areas]
    copy = 2
    while count < wanted:
        for index, tasks in enumerate(areas):
            for block in tasks:
                if count >= wanted:
                    break
                twin = []
                for line in block:
                    if line.startswith("      - id: "):
                        line = f"{line.rstrip()}-{copy}\n"
                    elif line.startswith("        title: "):
                        line = f"{line.rstrip()}（{copy}）\n"
                    twin.append(line)
                extra[index] += twin
                count += 1
        copy += 1
    # Each area's copies go after its last task, i.e. before the next area starts.
    area_starts = [i for i in starts if lines[i].startswith("  - id:")]
    ends = [*area_starts[1:], len(lines)]
    out: list[str] = lines[: area_starts[0]]
    for index, (first, last) in enumerate(zip(area_starts, ends, strict=True)):
        block = lines[first:last]
        tail: list[str] = []
        while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
            tail.insert(0, block.pop())
        out += block + extra[index] + tail
    return "".join(out)


def plan_file(year: int, tasks_per_plan: int | None) -> Path:
    folder = DATA / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = f"-{tasks_per_plan}" if tasks_per_plan else ""
    path = folder / f"{year}{suffix}.yaml"
    path.write_text(plan_text(year, tasks_per_plan), encoding="utf-8")
    return path


def load_plans(db_path: Path, shape: Shape) -> None:
    """``wmcj plan load`` for every plan of the shape, through the plans service."""
    from wmcj.db import Database
    from wmcj.planfile import read_plan
    from wmcj.plans import load_plan

    database = Database(f"sqlite:///{db_path}")
    try:
        for year in shape.years:
            path = plan_file(year, shape.tasks_per_plan)
            spec = read_plan(path)
            with database.write() as session:
                load_plan(session=session, spec=spec, source=str(path))
    finally:
        database.close()


# -- activities ---------------------------------------------------------------------------

TITLES = (
    "组织开展{t}",
    "召开{t}专题会议",
    "{t}：集中学习",
    "局机关{t}活动",
    "开展“{t}”主题党日",
    "{t}工作推进会",
    "赴企业开展{t}",
    "{t}（第{n}期）",
)
PLACES = (
    "局机关三楼会议室",
    "县科技馆",
    "县委党校",
    "烈士陵园",
    "城关镇社区服务中心",
    "县高新技术企业孵化园",
    "局机关大院",
    None,
)
NAMES = (
    "张三",
    "李四",
    "王五",
    "赵敏",
    "刘洋",
    "陈静",
    "杨帆",
    "黄磊",
    "周婷",
    "吴刚",
    "郑华",
    "孙丽",
)
TAGS = ("学习", "志愿服务", "宣传", "党建", "廉政", "培训", "文明实践", "科普", "节日", "企业服务")
HOURS = (0.5, 1.0, 1.5, 2.0, 2.0, 3.0, 4.0, 8.0)
NOTE = (
    "本次活动由局办公室牵头组织，全体干部职工参加。会上传达学习了上级有关文件精神，"
    "结合本单位实际研究部署了下一阶段工作，明确了责任分工和完成时限。"
    "与会人员围绕主题进行了交流发言，大家一致表示要以此为契机，进一步增强责任意识，"
    "把各项要求落到实处，推动文明单位创建工作不断深入。活动现场拍摄照片存档，会议纪要已整理归档。"
)


@dataclass(frozen=True)
class PlanRows:
    plan_id: int
    year: int
    task_ids: tuple[int, ...]
    task_titles: tuple[str, ...]


def _plans(engine: Any) -> list[PlanRows]:
    from sqlalchemy import text

    result = []
    with engine.connect() as conn:
        for plan_id, year in conn.execute(text("SELECT id, year FROM plan ORDER BY year")):
            tasks = conn.execute(
                text("SELECT id, title FROM task WHERE plan_id = :p AND retired = 0 ORDER BY id"),
                {"p": plan_id},
            ).all()
            result.append(
                PlanRows(plan_id, year, tuple(t[0] for t in tasks), tuple(t[1] for t in tasks))
            )
    return result


def _days(year: int, count: int, rng: random.Random) -> list[date]:
    """``count`` dates over ``year`` in order, a weekend day a fifth as likely as a weekday."""
    first = date(year, 1, 1)
    days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
    weights = [1 if d.weekday() >= 5 else 5 for d in days]
    return sorted(rng.choices(days, weights=weights, k=count))


def _note(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.3:
        return None
    if roll < 0.6:
        return NOTE[: rng.randint(20, 80)]
    return (NOTE * 4)[: rng.randint(150, 600)]


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def activity_rows(
    plans: list[PlanRows], counts: list[int], rng: random.Random, first_id: int = 1
) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    """Batches of (activities, task links, tags, attachments) rows, plan by plan, in date order."""
    from wmcj.activities import note_chars

    next_id = first_id
    for plan, count in zip(plans, counts, strict=True):
        dates = _days(plan.year, count, rng)
        for start in range(0, count, BATCH):
            activities: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            tags: list[dict[str, Any]] = []
            attachments: list[dict[str, Any]] = []
            for day in dates[start : start + BATCH]:
                activity_id = next_id
                next_id += 1
                linked = rng.sample(plan.task_ids, k=rng.choices((1, 2, 3), (6, 3, 1))[0])
                title_of = plan.task_titles[plan.task_ids.index(linked[0])]
                note = _note(rng)
                photos = rng.choices((0, 1, 2, 3, 4), (55, 10, 20, 10, 5))[0]
                files = 1 if rng.random() < 0.1 else 0
                stamp = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                    hours=9, minutes=rng.randrange(600)
                )
                activities.append(
                    {
                        "id": activity_id,
                        "plan_id": plan.plan_id,
                        "date": day,
                        "title": rng.choice(TITLES).format(t=title_of, n=rng.randint(1, 12)),
                        "people": rng.randint(3, 120) if rng.random() < 0.85 else None,
                        "who": rng.sample(NAMES, k=rng.randint(1, 5))
                        if rng.random() < 0.7
                        else None,
                        "hours": rng.choice(HOURS) if rng.random() < 0.8 else None,
                        "place": rng.choice(PLACES),
                        "note": note,
                        "photos": photos,
                        "files": files,
                        "note_chars": note_chars(note),
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
                links += [{"activity_id": activity_id, "task_id": t} for t in linked]
                chosen = rng.sample(TAGS, k=rng.choices((0, 1, 2, 3), (3, 4, 2, 1))[0])
                tags += [
                    {"activity_id": activity_id, "tag": tag, "position": position}
                    for position, tag in enumerate(chosen)
                ]
                for position in range(photos + files):
                    photo = position < photos
                    serial = rng.randrange(10_000)
                    attachments.append(
                        {
                            "activity_id": activity_id,
                            "position": position,
                            "sha256": _hex(rng),
                            "name": f"IMG_{day:%Y%m%d}_{serial:04d}.jpg"
                            if photo
                            else "会议纪要.docx",
                            "media_type": "image/jpeg"
                            if photo
                            else "application/vnd.openxmlformats-officedocument"
                            ".wordprocessingml.document",
                            "size": rng.randint(150_000, 4_000_000),
                            "photo": photo,
                        }
                    )
            yield activities, links, tags, attachments


def split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as whole numbers allow."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def add_activities(db_path: Path, shape: Shape, seed: int) -> None:
    """The shape's activities, with links, tags and attachment rows, in batches (Core inserts)."""
    from sqlalchemy import insert

    from wmcj.db import Database
    from wmcj.models import Activity, ActivityTag, ActivityTask, Attachment

    rng = random.Random(seed)
    database = Database(f"sqlite:///{db_path}")
    try:
        engine = database.engine
        plans = _plans(engine)
        counts = split(shape.activities, len(plans))
        tables = (
            Activity.__table__,  # type: ignore[attr-defined]
            ActivityTask.__table__,  # type: ignore[attr-defined]
            ActivityTag.__table__,  # type: ignore[attr-defined]
            Attachment.__table__,  # type: ignore[attr-defined]
        )
        for batch in activity_rows(plans, counts, rng):
            with engine.execution_options(wmcj_write=True).begin() as conn:
                for table, rows in zip(tables, batch, strict=True):
                    if rows:
                        conn.execute(insert(table), rows)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.close()


# -- Taskwarrior ----------------------------------------------------------------------------


def taskwarrior_tasks(db_path: Path) -> Iterator[dict[str, Any]]:
    """The same records for Taskwarrior: each plan's tasks pending (due at their deadline,
    project = unit.area), and each activity a completed task (logged work) with its tags.
    """
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        for year, area, key, due in conn.execute(
            "SELECT p.year, a.key, t.key, t.due FROM task t JOIN area a ON a.id = t.area_id"
            " JOIN plan p ON p.id = t.plan_id ORDER BY t.id"
        ):
            yield {
                "description": key,
                "project": f"y{year}.{area}",
                "status": "pending",
                "entry": datetime(year, 1, 1, tzinfo=UTC),
                "due": datetime.fromisoformat(due).replace(tzinfo=UTC) if due else None,
                "tags": [],
            }
        tags: dict[int, list[str]] = {}
        for activity_id, tag in conn.execute(
            "SELECT activity_id, tag FROM activity_tag ORDER BY activity_id, position"
        ):
            tags.setdefault(activity_id, []).append(tag)
        for activity_id, year, area, title, created in conn.execute(
            "SELECT a.id, p.year, ar.key, a.title, a.created_at FROM activity a"
            " JOIN plan p ON p.id = a.plan_id"
            " JOIN activity_task l ON l.activity_id = a.id"
            " AND l.task_id = (SELECT MIN(task_id) FROM activity_task WHERE activity_id = a.id)"
            " JOIN task t ON t.id = l.task_id JOIN area ar ON ar.id = t.area_id ORDER BY a.id"
        ):
            stamp = datetime.fromisoformat(created).replace(tzinfo=UTC)
            yield {
                "description": title,
                "project": f"y{year}.{area}",
                "status": "completed",
                "entry": stamp,
                "end": stamp,
                "tags": tags.get(activity_id, []),
            }
    finally:
        conn.close()


def _ff4(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def taskwarrior_line(task: dict[str, Any], number: int) -> str:
    """One task in Taskwarrior 2.6's own data format (what ``task import`` writes)."""
    fields = {
        "description": task["description"],
        "due": task.get("due"),
        "end": task.get("end"),
        "entry": task["entry"],
        "modified": task["entry"],
        "project": task["project"],
        "status": task["status"],
        "tags": ",".join(sorted(task["tags"])) or None,
        "uuid": f"{number:08x}-0000-4000-8000-{number:012x}",
    }
    for tag in task["tags"]:
        fields[f"tags_{tag}"] = "x"
    parts = []
    for name in sorted(fields):
        value = fields[name]
        if value is None:
            continue
        if isinstance(value, datetime):
            value = str(int(value.timestamp()))
        parts.append(f'{name}:"{_ff4(value)}"')
    return "[" + " ".join(parts) + "]\n"


def taskwarrior_rc(folder: Path) -> Path:
    """A taskrc of its own: data in ``folder``, no questions, no hooks, no chatter."""
    rc = folder / "taskrc"
    rc.write_text(
        f"data.location={folder}\nconfirmation=off\nhooks=off\nverbose=nothing\n"
        "recurrence=off\nnews.version=2.6.2\n",
        encoding="utf-8",
    )
    return rc


def build_taskwarrior(db_path: Path, folder: Path) -> int:
    """Taskwarrior's data for the same records; returns how many tasks it holds.

    ``task import`` is quadratic (100,000 tasks take over two minutes; a million, hours),
    so the data files are written directly in the format ``task import`` writes;
    ``check_taskwarrior_format`` proves the two agree.
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    taskwarrior_rc(folder)
    count = 0
    with (
        (folder / "pending.data").open("w", encoding="utf-8") as pending,
        (folder / "completed.data").open("w", encoding="utf-8") as completed,
    ):
        for task in taskwarrior_tasks(db_path):
            count += 1
            line = taskwarrior_line(task, count)
            (pending if task["status"] == "pending" else completed).write(line)
    for name in ("undo.data", "backlog.data"):
        (folder / name).touch()
    return count


def check_taskwarrior_format(task_binary: str, folder: Path) -> None:
    """Import a few tasks with ``task import`` and compare with what we write ourselves."""
    import subprocess

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rc = taskwarrior_rc(folder)
    sample = [
        {
            "description": '学习 "十九大" 精神\\',
            "project": "y2018.leadership",
            "status": "completed",
            "entry": datetime(2018, 3, 2, 9, 30, tzinfo=UTC),
            "end": datetime(2018, 3, 2, 9, 30, tzinfo=UTC),
            "tags": ["学习", "党建"],
        },
        {
            "description": "work-plan",
            "project": "y2018.leadership",
            "status": "pending",
            "entry": datetime(2018, 1, 1, tzinfo=UTC),
            "due": datetime(2018, 3, 31, tzinfo=UTC),
            "tags": [],
        },
    ]
    exported = []
    for number, task in enumerate(sample, start=1):
        item = {
            k: (v.strftime("%Y%m%dT%H%M%SZ") if isinstance(v, datetime) else v)
            for k, v in task.items()
            if v
        }
        item["uuid"] = f"{number:08x}-0000-4000-8000-{number:012x}"
        exported.append(item)
    source = folder / "import.json"
    source.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    env = {"TASKRC": str(rc), "HOME": str(folder), "PATH": "/usr/bin:/bin"}
    subprocess.run([task_binary, "import", str(source)], env=env, check=True, capture_output=True)
    written = (folder / "completed.data").read_text(encoding="utf-8") + (
        folder / "pending.data"
    ).read_text(encoding="utf-8")
    ours = "".join(taskwarrior_line(task, n) for n, task in enumerate(sample, start=1))

    def without_modified(text: str) -> set[str]:
        return {re.sub(r' modified:"\d+"', "", line) for line in text.splitlines()}

    if without_modified(written) != without_modified(ours):
        raise SystemExit(
            "Taskwarrior's data format differs from what the generator writes:\n"
            f"task import wrote:\n{written}\nthe generator writes:\n{ours}"
        )


# -- caching ----------------------------------------------------------------------------------


def fingerprint(shape: Shape) -> str:
    """What a cached database depends on: the generator's version, the seed plan, the schema."""
    from wmcj.models import SCHEMA_REVISION

    digest = hashlib.sha256()
    digest.update(SEED_PLAN.read_bytes())
    digest.update(f"{GENERATOR_VERSION}:{SCHEMA_REVISION}:{shape}".encode())
    return digest.hexdigest()[:16]


def database(name: str, *, log: Any = print) -> Path:
    """The cached database of shape ``name``, built first if missing or stale."""
    shape = SHAPES[name]
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"{name}.db"
    stamp = DATA / f"{name}.stamp"
    key = fingerprint(shape)
    if path.exists() and stamp.exists() and stamp.read_text() == key:
        return path
    started = time.perf_counter()
    log(f"building {name}: {shape.what} …")
    for old in DATA.glob(f"{name}.db*"):
        old.unlink()
    stamp.unlink(missing_ok=True)
    temp = DATA / f"{name}.building.db"
    for old in DATA.glob(f"{name}.building.db*"):
        old.unlink()
    load_plans(temp, shape)
    add_activities(temp, shape, seed=sum(map(ord, name)))
    temp.replace(path)
    for leftover in DATA.glob(f"{name}.building.db*"):
        leftover.unlink()
    stamp.write_text(key)
    size = path.stat().st_size / 2**20
    log(f"built {name} in {time.perf_counter() - started:.0f} s ({size:.0f} MiB)")
    return path


def taskwarrior_data(name: str, task_binary: str, *, log: Any = print) -> tuple[Path, int]:
    """Taskwarrior's folder for shape ``name`` (built from its database if stale)."""
    path = database(name, log=log)
    folder = DATA / f"tw-{name}"
    stamp = folder / "stamp"
    key = fingerprint(SHAPES[name])
    if stamp.exists() and stamp.read_text().split()[0] == key:
        return folder / "taskrc", int(stamp.read_text().split()[1])
    check_taskwarrior_format(task_binary, DATA / "tw-check")
    count = build_taskwarrior(path, folder)
    stamp.write_text(f"{key} {count}")
    return folder / "taskrc", count


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build the benchmark databases (cached).")
    parser.add_argument("names", nargs="*", help=f"shapes to build (default: all): {list(SHAPES)}")
    parser.add_argument(
        "--taskwarrior", metavar="TASK", help="also Taskwarrior's data, with this task"
    )
    parser.add_argument("--json", action="store_true", help="print where everything is, as JSON")
    options = parser.parse_args(argv)
    names = options.names or list(SHAPES)
    unknown = [n for n in names if n not in SHAPES]
    if unknown:
        raise SystemExit(f"unknown shape(s) {unknown}; choose from {list(SHAPES)}")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    built: dict[str, dict[str, Any]] = {}
    for name in names:
        entry: dict[str, Any] = {"db": str(database(name, log=log)), "taskrc": None, "tasks": 0}
        if options.taskwarrior:
            rc, count = taskwarrior_data(name, options.taskwarrior, log=log)
            entry |= {"taskrc": str(rc), "tasks": count}
        built[name] = entry
    if options.json:
        print(json.dumps(built))


if __name__ == "__main__":
    main()
