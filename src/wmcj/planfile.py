"""Reading a plan file: strict YAML 1.2-style parsing into a validated PlanSpec.

Scalars are read as text and converted here (PyYAML's YAML 1.1 resolver would
turn ``on:`` into ``True`` and dates into objects). Every problem is collected
with its line and column, so a person fixes the whole file in one pass.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wmcj.errors import InputError, PlanInvalid
from wmcj.i18n import _

if TYPE_CHECKING:
    from yaml.nodes import Node

    from wmcj.namedays import NamedDay

#: A plan is a page or two of text; anything far larger is a mistake or an attack.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Nodes visited while reading, aliases expanded: bounds the cost of an alias bomb.
MAX_NODES = 200_000

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
KINDS = ("key-work", "safeguard")
EVERY = ("week", "month", "quarter", "half", "year")
EVIDENCE_KEYS = ("photos", "words", "files")

TOP_KEYS = (
    "version", "year", "unit", "title", "target", "leader", "office",
    "ideology", "goal", "days", "areas",
)  # fmt: skip
AREA_KEYS = ("id", "kind", "title", "text", "owner", "tasks")
TASK_KEYS = (
    "id", "title", "text", "owner", "due", "target", "unit", "every", "start",
    "on", "window", "weight", "evidence",
)  # fmt: skip
DAY_KEYS = ("name", "date", "until")

_NULLS = ("", "~", "null", "Null", "NULL")
_INT = re.compile(r"[+]?[0-9]+\Z")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
_MMDD = re.compile(r"([0-9]{2})-([0-9]{2})\Z")
_YMD = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What each counted activity must carry to count as documented."""

    photos: int | None = None
    words: int | None = None
    files: int | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.photos, self.words, self.files))


@dataclass(frozen=True, slots=True)
class DaySpec:
    key: str
    name: str
    date: date
    until: date | None = None


@dataclass(frozen=True, slots=True)
class TaskSpec:
    key: str
    title: str
    text: str | None = None
    owner: str | None = None
    due: date | None = None
    target: int = 1
    unit: str | None = None
    every: str | None = None
    start: date | None = None
    on: tuple[str, ...] | None = None  # named-day keys, literal dates as ISO text
    window: int | None = None
    weight: float = 1.0
    evidence: Evidence = field(default_factory=Evidence)


@dataclass(frozen=True, slots=True)
class AreaSpec:
    key: str
    title: str
    tasks: tuple[TaskSpec, ...]
    kind: str = "key-work"
    text: str | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """A validated plan file."""

    year: int
    unit: str
    title: str
    areas: tuple[AreaSpec, ...]
    target: str | None = None
    leader: str | None = None
    office: str | None = None
    ideology: str | None = None
    goal: str | None = None
    days: tuple[DaySpec, ...] = ()

    def tasks(self) -> Iterator[tuple[AreaSpec, TaskSpec]]:
        for area in self.areas:
            for task in area.tasks:
                yield area, task

    def named_days(self) -> dict[str, NamedDay]:
        """Built-in named days of the plan's year, overridden and extended by ``days``."""
        return resolve_days(self.year, self.days)


def resolve_days(year: int, own: tuple[DaySpec, ...]) -> dict[str, NamedDay]:
    from wmcj.namedays import NamedDay, builtin_days

    days = builtin_days(year)
    for day in own:
        days[day.key] = NamedDay(day.key, day.name, day.date, day.until)
    return days


def read_plan(path: Path | str) -> PlanSpec:
    """Read and validate a plan file; raise PlanInvalid with every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(_("no such file: {path}").format(path=path)) from None
    except IsADirectoryError:
        raise InputError(_("{path} is a folder, not a plan file").format(path=path)) from None
    except OSError as exc:
        raise InputError(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    return parse_plan(raw, str(path))


def decode(raw: bytes, filename: str) -> str:
    """Plan files come from Chinese Windows editors too: UTF-8 (with or without BOM) or GBK."""
    if len(raw) > MAX_FILE_BYTES:
        raise PlanInvalid(
            [
                _("{file}: the file is {size} bytes; a plan file may have at most {limit}").format(
                    file=filename, size=len(raw), limit=MAX_FILE_BYTES
                )
            ]
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise PlanInvalid([_("{file}: not a text file").format(file=filename)]) from None
    elif b"\x00" in raw:
        raise PlanInvalid([_("{file}: not a text file").format(file=filename)])
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise PlanInvalid(
                    [
                        _(
                            "{file}: the text is neither UTF-8 nor GBK; save it as UTF-8 and"
                            " try again"
                        ).format(file=filename)
                    ]
                ) from None
    return text


def parse_plan(raw: bytes | str, filename: str = "<plan>") -> PlanSpec:
    """Validate plan text; raise PlanInvalid listing every problem as FILE:LINE:COLUMN."""
    text = decode(raw, filename) if isinstance(raw, bytes) else raw
    reader = _Reader(filename)
    spec = reader.read(text)
    if reader.problems or spec is None:
        raise PlanInvalid(reader.render())
    return spec


def _plain(node: Node) -> bool:
    """An unquoted scalar (the C parser says '' where the Python one says None)."""
    return not getattr(node, "style", None)


def _close(word: str, choices: Any) -> str:
    """`` (did you mean 'x'?)`` or nothing."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _(" (did you mean '{word}'?)").format(word=match[0]) if match else ""


class _TooBig(Exception):
    pass


class _Reader:
    """Walks the composed YAML node graph, collecting located problems."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[tuple[int, int, str]] = []
        self.visits = 0
        self.year: int | None = None

    # -- reporting ---------------------------------------------------------

    def problem(self, node: Node | None, message: str) -> None:
        if node is None:
            self.problems.append((0, 0, message))
        else:
            mark = node.start_mark
            self.problems.append((mark.line + 1, mark.column + 1, message))

    def render(self) -> list[str]:
        seen: set[tuple[int, int, str]] = set()
        lines = []
        for line, column, message in sorted(self.problems, key=lambda p: (p[0], p[1])):
            if (line, column, message) in seen:
                continue
            seen.add((line, column, message))
            where = f"{self.filename}:{line}:{column}" if line else self.filename
            # One problem, one line: control characters quoted from the file are shown escaped.
            shown = _CONTROL.sub(lambda m: repr(m[0])[1:-1], message)
            lines.append(f"{where}: {shown}")
        return lines

    # -- YAML --------------------------------------------------------------

    def read(self, text: str) -> PlanSpec | None:
        import yaml

        loader_base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(loader_base):  # type: ignore[misc, valid-type]
            # No implicit resolvers: every plain scalar stays text, as in YAML 1.2's
            # failsafe reading; conversion is ours.
            yaml_implicit_resolvers: dict[str, Any] = {}  # noqa: RUF012

        try:
            documents = list(yaml.compose_all(text, Loader=Loader))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = _("not valid YAML: {problem}").format(
                problem=exc.problem or exc.context or "?"
            )
            if mark is not None:
                self.problems.append((mark.line + 1, mark.column + 1, message))
            else:
                self.problems.append((0, 0, message))
            return None
        except yaml.YAMLError as exc:
            # A reader error (e.g. a control character) says where as an offset, on a
            # second line: turn it into a located one-line problem.
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            offset = getattr(exc, "position", None)
            line = column = 0
            if isinstance(offset, int) and 0 <= offset <= len(text):
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            self.problems.append(
                (line, column, _("not valid YAML: {problem}").format(problem=problem))
            )
            return None
        documents = [d for d in documents if d is not None]
        if not documents:
            self.problems.append((0, 0, _("the file is empty; a plan needs at least 'version'")))
            return None
        if len(documents) > 1:
            self.problem(documents[1], _("a plan file holds one YAML document, not several"))
            return None
        try:
            return self.plan(documents[0])
        except _TooBig:
            self.problems = [
                (
                    0,
                    0,
                    _(
                        "the file expands to more than {limit} values (aliases nested too"
                        " deep?); refused"
                    ).format(limit=MAX_NODES),
                )
            ]
            return None

    def visit(self, node: Node) -> None:
        self.visits += 1
        if self.visits > MAX_NODES:
            raise _TooBig
        if node.tag not in _PLAIN_TAGS:
            self.problem(
                node,
                _("YAML tag '{tag}' is not allowed in a plan file").format(tag=node.tag),
            )

    def pairs(self, node: Node, where: str) -> list[tuple[str, Node, Node]] | None:
        """A mapping's (key, key node, value node), merges expanded, duplicates reported."""
        import yaml

        self.visit(node)
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, _("{where} must be a mapping of keys").format(where=where))
            return None
        result: list[tuple[str, Node, Node]] = []
        seen: dict[str, Node] = {}
        merged: list[tuple[str, Node, Node]] = []
        for key_node, value_node in node.value:
            self.visit(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, _("a key in {where} must be text").format(where=where))
                continue
            key = key_node.value
            if key == "<<" and _plain(key_node):
                merged.extend(self.merge(value_node, where))
                continue
            if key in seen:
                self.problem(
                    key_node,
                    _("key '{key}' repeated in {where} (first on line {line})").format(
                        key=key, where=where, line=seen[key].start_mark.line + 1
                    ),
                )
                continue
            seen[key] = key_node
            result.append((key, key_node, value_node))
        for key, key_node, value_node in merged:
            if key not in seen:
                seen[key] = key_node
                result.append((key, key_node, value_node))
        return result

    def merge(self, node: Node, where: str) -> list[tuple[str, Node, Node]]:
        import yaml

        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: list[tuple[str, Node, Node]] = []
        for source in sources:
            pairs = self.pairs(source, where)
            for pair in pairs or ():
                if all(pair[0] != m[0] for m in merged):
                    merged.append(pair)
        return merged

    def fields(
        self, node: Node, allowed: tuple[str, ...], where: str, required: tuple[str, ...]
    ) -> dict[str, tuple[Node, Node]] | None:
        pairs = self.pairs(node, where)
        if pairs is None:
            return None
        found: dict[str, tuple[Node, Node]] = {}
        for key, key_node, value_node in pairs:
            if key not in allowed:
                self.problem(
                    key_node,
                    _("unknown key '{key}' in {where}").format(key=key, where=where)
                    + _close(key, allowed),
                )
                continue
            if self.is_null(value_node):
                if key in required:
                    self.problem(
                        key_node,
                        _("'{key}' in {where} has no value").format(key=key, where=where),
                    )
                continue
            found[key] = (key_node, value_node)
        for key in required:
            if key not in found and key not in {k for k, _n, _v in pairs}:
                self.problem(
                    node, _("{where} lacks the required key '{key}'").format(where=where, key=key)
                )
        return found

    def is_null(self, node: Node) -> bool:
        import yaml

        return (
            isinstance(node, yaml.ScalarNode)
            and _plain(node)
            and node.value in _NULLS
            and node.tag == "tag:yaml.org,2002:str"
        ) or node.tag == "tag:yaml.org,2002:null"

    # -- scalars -------------------------------------------------------------

    def text(self, node: Node, what: str) -> str | None:
        import yaml

        self.visit(node)
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, _("{what} must be text").format(what=what))
            return None
        value = node.value.strip()
        if not value:
            self.problem(node, _("{what} must not be empty").format(what=what))
            return None
        return value

    def integer(self, node: Node, what: str, minimum: int) -> int | None:
        value = self.text(node, what)
        if value is None:
            return None
        if not _INT.match(value):
            self.problem(
                node,
                _("{what} must be a whole number, not '{value}'").format(what=what, value=value),
            )
            return None
        number = int(value)
        if number < minimum:
            self.problem(
                node,
                _("{what} must be at least {minimum}, not {value}").format(
                    what=what, minimum=minimum, value=number
                ),
            )
            return None
        return number

    def positive(self, node: Node, what: str) -> float | None:
        value = self.text(node, what)
        if value is None:
            return None
        number = float(value) if _NUMBER.match(value) else math.nan
        if not math.isfinite(number) or number <= 0:
            self.problem(
                node,
                _("{what} must be a number greater than 0, not '{value}'").format(
                    what=what, value=value
                ),
            )
            return None
        return number

    def day(self, node: Node, what: str) -> date | None:
        value = self.text(node, what)
        if value is None:
            return None
        return self.parse_day(node, value, what)

    def parse_day(self, node: Node, value: str, what: str) -> date | None:
        year = self.year
        if m := _MMDD.match(value):
            parts = (year or 2000, int(m[1]), int(m[2]))
        elif m := _YMD.match(value):
            parts = (int(m[1]), int(m[2]), int(m[3]))
        else:
            self.problem(
                node,
                _("{what} '{value}' is not a date; write MM-DD or YYYY-MM-DD").format(
                    what=what, value=value
                ),
            )
            return None
        try:
            result = date(*parts)
        except ValueError:
            self.problem(
                node, _("{what} '{value}' is not a real date").format(what=what, value=value)
            )
            return None
        if year is not None and result.year != year:
            self.problem(
                node,
                _("{what} {value} is not in the plan's year {year}").format(
                    what=what, value=value, year=year
                ),
            )
            return None
        return result

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if value not in choices:
            self.problem(
                node,
                _("{what} must be one of {choices}, not '{value}'").format(
                    what=what, choices=", ".join(choices), value=value
                )
                + _close(value, choices),
            )
            return None
        return value

    def slug(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if not SLUG.match(value):
            self.problem(
                node,
                _(
                    "{what} '{value}' must be lowercase letters, digits and '-' (like 'work-plan')"
                ).format(what=what, value=value),
            )
            return None
        return value

    # -- the plan ------------------------------------------------------------

    def plan(self, root: Node) -> PlanSpec | None:
        where = _("the plan")
        top = self.fields(root, TOP_KEYS, where, ("version", "year", "unit", "title", "areas"))
        if top is None:
            return None

        if "version" in top:
            node = top["version"][1]
            value = self.text(node, "'version'")
            if value is not None and (value != "1" or not _plain(node)):
                self.problem(
                    node,
                    _("'version' must be 1 (the only format version), not '{value}'").format(
                        value=value
                    ),
                )
        year = None
        if "year" in top:
            year = self.integer(top["year"][1], "'year'", 1)
            if year is not None and not 1901 <= year <= 2099:
                self.problem(
                    top["year"][1],
                    _("'year' must be between 1901 and 2099, not {year}").format(year=year),
                )
                year = None
        self.year = year
        texts: dict[str, str | None] = {}
        for key in ("unit", "title", "target", "leader", "office", "ideology", "goal"):
            texts[key] = self.text(top[key][1], f"'{key}'") if key in top else None

        days = self.days(top["days"][1]) if "days" in top else ()
        from wmcj.namedays import BUILTIN_KEYS

        day_keys = set(BUILTIN_KEYS) | {d.key for d in days}

        areas: list[AreaSpec] = []
        if "areas" in top:
            areas = self.areas(top["areas"][1], day_keys)

        if self.problems or year is None:
            return None
        return PlanSpec(
            year=year,
            unit=texts["unit"] or "",
            title=texts["title"] or "",
            target=texts["target"],
            leader=texts["leader"],
            office=texts["office"],
            ideology=texts["ideology"],
            goal=texts["goal"],
            days=tuple(days),
            areas=tuple(areas),
        )

    def days(self, node: Node) -> tuple[DaySpec, ...]:
        pairs = self.pairs(node, "'days'")
        result = []
        for key, key_node, value_node in pairs or ():
            if not SLUG.match(key):
                self.problem(
                    key_node,
                    _("day key '{key}' must be lowercase letters, digits and '-'").format(key=key),
                )
                continue
            where = _("day '{key}'").format(key=key)
            found = self.fields(value_node, DAY_KEYS, where, ("name", "date"))
            if found is None or "name" not in found or "date" not in found:
                continue
            name = self.text(found["name"][1], "'name'")
            first = self.day(found["date"][1], "'date'")
            until = self.day(found["until"][1], "'until'") if "until" in found else None
            if first and until and until < first:
                self.problem(
                    found["until"][1],
                    _("'until' {until} is before 'date' {date} in {where}").format(
                        until=until.isoformat(), date=first.isoformat(), where=where
                    ),
                )
                continue
            if name and first:
                result.append(DaySpec(key, name, first, until))
        return tuple(result)

    def sequence(self, node: Node, what: str) -> list[Node]:
        import yaml

        self.visit(node)
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, _("{what} must be a list").format(what=what))
            return []
        if not node.value:
            self.problem(node, _("{what} must not be empty").format(what=what))
        return list(node.value)

    def areas(self, node: Node, day_keys: set[str]) -> list[AreaSpec]:
        areas: list[AreaSpec] = []
        area_ids: dict[str, Node] = {}
        task_ids: dict[str, Node] = {}
        for item in self.sequence(node, "'areas'"):
            area = self.area(item, area_ids, task_ids, day_keys)
            if area is not None:
                areas.append(area)
        return areas

    def unique(self, registry: dict[str, Node], key: str, node: Node, what: str) -> bool:
        if key in registry:
            self.problem(
                node,
                _("{what} '{key}' is used twice (first on line {line})").format(
                    what=what, key=key, line=registry[key].start_mark.line + 1
                ),
            )
            return False
        registry[key] = node
        return True

    def area(
        self,
        node: Node,
        area_ids: dict[str, Node],
        task_ids: dict[str, Node],
        day_keys: set[str],
    ) -> AreaSpec | None:
        key = self.peek_id(node)
        where = _("area '{key}'").format(key=key) if key else _("an area")
        found = self.fields(node, AREA_KEYS, where, ("id", "title", "tasks"))
        if found is None:
            return None
        key = self.slug(found["id"][1], _("area id")) if "id" in found else None
        if key is not None and not self.unique(area_ids, key, found["id"][1], _("area id")):
            key = None
        title = self.text(found["title"][1], "'title'") if "title" in found else None
        kind = self.choice(found["kind"][1], "'kind'", KINDS) if "kind" in found else "key-work"
        text = self.text(found["text"][1], "'text'") if "text" in found else None
        owner = self.text(found["owner"][1], "'owner'") if "owner" in found else None
        tasks: list[TaskSpec] = []
        if "tasks" in found:
            for item in self.sequence(found["tasks"][1], "'tasks'"):
                task = self.task(item, task_ids, day_keys)
                if task is not None:
                    tasks.append(task)
        if key is None or title is None or kind is None:
            return None
        return AreaSpec(key, title, tuple(tasks), kind, text, owner)

    def peek_id(self, node: Node) -> str | None:
        """The id of a mapping, read early so messages can name it."""
        import yaml

        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if (
                    isinstance(key_node, yaml.ScalarNode)
                    and key_node.value == "id"
                    and isinstance(value_node, yaml.ScalarNode)
                ):
                    return value_node.value.strip() or None
        return None

    def task(self, node: Node, task_ids: dict[str, Node], day_keys: set[str]) -> TaskSpec | None:
        key = self.peek_id(node)
        where = _("task '{key}'").format(key=key) if key else _("a task")
        found = self.fields(node, TASK_KEYS, where, ("id", "title"))
        if found is None:
            return None
        ok = True

        def get(name: str, read: Callable[[Node], Any]) -> Any:
            nonlocal ok
            if name not in found:
                return None
            value = read(found[name][1])
            if value is None:
                ok = False
            return value

        key = get("id", lambda n: self.slug(n, _("task id")))
        if key is not None and not self.unique(task_ids, key, found["id"][1], _("task id")):
            ok = False
        title = get("title", lambda n: self.text(n, "'title'"))
        text = get("text", lambda n: self.text(n, "'text'"))
        owner = get("owner", lambda n: self.text(n, "'owner'"))
        due = get("due", lambda n: self.day(n, "'due'"))
        target = get("target", lambda n: self.integer(n, "'target'", 1))
        unit = get("unit", lambda n: self.text(n, "'unit'"))
        every = get("every", lambda n: self.choice(n, "'every'", EVERY))
        start = get("start", lambda n: self.day(n, "'start'"))
        on = get("on", lambda n: self.on(n, day_keys))
        window = get("window", lambda n: self.integer(n, "'window'", 0))
        weight = get("weight", lambda n: self.positive(n, "'weight'"))
        evidence = get("evidence", self.evidence)

        if "every" in found and "on" in found:
            self.problem(
                found["on"][0],
                _("'every' and 'on' exclude each other in {where}").format(where=where),
            )
            ok = False
        if "start" in found and "every" not in found:
            self.problem(
                found["start"][0],
                _("'start' goes only with 'every' in {where}").format(where=where),
            )
            ok = False
        if "window" in found and "on" not in found:
            self.problem(
                found["window"][0],
                _("'window' goes only with 'on' in {where}").format(where=where),
            )
            ok = False
        if start is not None and self.year is not None:
            end = due or date(self.year, 12, 31)
            if start > end:
                self.problem(
                    found["start"][1],
                    _("'start' {start} is after 'due' {due} in {where}").format(
                        start=start.isoformat(), due=end.isoformat(), where=where
                    ),
                )
                ok = False
        if not ok or key is None or title is None:
            return None
        return TaskSpec(
            key=key,
            title=title,
            text=text,
            owner=owner,
            due=due,
            target=target if target is not None else 1,
            unit=unit,
            every=every,
            start=start,
            on=on,
            window=window,
            weight=weight if weight is not None else 1.0,
            evidence=evidence or Evidence(),
        )

    def on(self, node: Node, day_keys: set[str]) -> tuple[str, ...] | None:
        entries: list[str] = []
        seen: dict[str, Node] = {}
        ok = True
        items = self.sequence(node, "'on'")
        for item in items:
            value = self.text(item, _("a day in 'on'"))
            if value is None:
                ok = False
                continue
            if _MMDD.match(value) or _YMD.match(value):
                day = self.parse_day(item, value, _("the date"))
                if day is None:
                    ok = False
                    continue
                ref = day.isoformat()
            elif value in day_keys:
                ref = value
            else:
                self.problem(
                    item,
                    _("unknown named day '{value}'").format(value=value) + _close(value, day_keys),
                )
                ok = False
                continue
            if ref in seen:
                self.problem(
                    item,
                    _("'{value}' is listed twice in 'on' (first on line {line})").format(
                        value=value, line=seen[ref].start_mark.line + 1
                    ),
                )
                ok = False
                continue
            seen[ref] = item
            entries.append(ref)
        if not ok or not items:
            return None
        return tuple(entries)

    def evidence(self, node: Node) -> Evidence | None:
        found = self.fields(node, EVIDENCE_KEYS, "'evidence'", ())
        if found is None:
            return None
        values = {}
        for key, (_key_node, value_node) in found.items():
            number = self.integer(value_node, f"'evidence.{key}'", 1)
            if number is None:
                return None
            values[key] = number
        return Evidence(**values)


def is_photo(name: str) -> bool:
    """Evidence rule: a photo is an attachment whose type is an image."""
    return Path(name).suffix.lower().lstrip(".") in PHOTO_TYPES


PHOTO_TYPES = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "bmp", "tif", "tiff"})
