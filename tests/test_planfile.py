"""Every rule of the plan format: a good plan reads, each bad one is refused, located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wmcj.errors import PlanInvalid
from wmcj.planfile import parse_plan, read_plan

GOOD = """\
version: 1
year: 2018
unit: 某县科学技术局
title: 2018年文明单位创建工作方案
target: 市级文明单位
leader: 局创建文明单位工作领导小组
office: 局办公室
ideology: >-
  以党的十九大精神为指导
goal: 力争创建成市级文明单位。
days:
  sci-tech-week: {name: 科技活动周, date: 2018-05-19, until: 2018-05-26}
areas:
  - id: leadership
    kind: key-work
    title: 加强组织领导，提高创建意识
    owner: 局创建文明单位工作领导小组
    tasks:
      - id: work-plan
        title: 制定全局文明创建活动方案
        due: 03-31
        weight: 3
      - id: work-meetings
        title: 定期召开创建工作会议
        owner: 局办公室
        every: quarter
        start: 2018-03-01
        unit: 次
      - id: regulations
        title: 完善20余项管理制度
        target: 20
        unit: 项
        due: 12-31
        weight: 0.5
  - id: activities
    kind: safeguard
    title: 丰富活动载体
    tasks:
      - id: festival-events
        title: 节日活动
        on: [qingming, ip-day, sci-tech-week, 06-01, 2018-10-08]
        window: 3
        evidence: {photos: 2, words: 200, files: 1}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PlanInvalid) as info:
        parse_plan(text, "plan.yaml")
    return info.value.problems


def test_good_plan_reads_every_key() -> None:
    spec = parse_plan(GOOD, "plan.yaml")
    assert spec.year == 2018
    assert spec.unit == "某县科学技术局"
    assert spec.target == "市级文明单位"
    assert spec.ideology == "以党的十九大精神为指导"
    assert [a.key for a in spec.areas] == ["leadership", "activities"]
    assert spec.areas[1].kind == "safeguard"
    plan, meetings, regulations = spec.areas[0].tasks
    assert plan.due.isoformat() == "2018-03-31" and plan.weight == 3.0
    assert meetings.every == "quarter" and meetings.start.isoformat() == "2018-03-01"
    assert meetings.owner == "局办公室" and meetings.unit == "次"
    assert regulations.target == 20 and regulations.weight == 0.5
    festival = spec.areas[1].tasks[0]
    # `on:` is a key, not True; literal dates normalise to ISO.
    assert festival.on == ("qingming", "ip-day", "sci-tech-week", "2018-06-01", "2018-10-08")
    assert festival.window == 3
    assert (festival.evidence.photos, festival.evidence.words, festival.evidence.files) == (
        2,
        200,
        1,
    )
    days = spec.named_days()
    assert days["sci-tech-week"].until.isoformat() == "2018-05-26"
    assert days["qingming"].date.isoformat() == "2018-04-05"


def test_yaml11_words_stay_text() -> None:
    text = GOOD.replace("title: 节日活动", "title: no").replace("unit: 项", "unit: yes")
    spec = parse_plan(text, "plan.yaml")
    assert spec.areas[1].tasks[0].title == "no"
    assert spec.areas[0].tasks[2].unit == "yes"


def test_days_entry_overrides_builtin() -> None:
    text = GOOD.replace(
        "  sci-tech-week:", "  qingming: {name: 清明祭扫, date: 04-04}\n  sci-tech-week:"
    )
    days = parse_plan(text, "plan.yaml").named_days()
    assert (days["qingming"].name, days["qingming"].date.isoformat()) == ("清明祭扫", "2018-04-04")


def test_anchors_and_aliases_are_allowed() -> None:
    text = GOOD.replace(
        "    owner: 局创建文明单位工作领导小组", "    owner: &lead 局创建文明单位工作领导小组"
    )
    text = text.replace("        owner: 局办公室", "        owner: *lead")
    assert parse_plan(text, "plan.yaml").areas[0].tasks[1].owner == "局创建文明单位工作领导小组"


def test_merge_keys_expand() -> None:
    text = GOOD.replace(
        "      - id: work-meetings\n",
        "      - &meet\n        id: work-meetings\n",
    ).replace(
        "  - id: activities\n",
        "  - id: activities\n",
    )
    spec = parse_plan(text, "plan.yaml")
    assert spec.areas[0].tasks[1].key == "work-meetings"


# (mutation, expected message fragment, line of the problem)
BAD = [
    ("version: 1\n", "version: 2\n", "'version' must be 1", 1),
    ("version: 1\n", "version: '1'\n", "'version' must be 1", 1),
    ("version: 1\n", "", "lacks the required key 'version'", 1),
    ("year: 2018\n", "year: twenty\n", "'year' must be a whole number", 2),
    ("unit: 某县科学技术局\n", "unit:\n", "'unit' in the plan has no value", 3),
    (
        "title: 2018年文明单位创建工作方案\n",
        "tittle: x\n",
        "unknown key 'tittle' in the plan (did you mean 'title'?)",
        4,
    ),
    (
        "        weight: 3\n",
        "        weight: 3\n        wieght: 2\n",
        "unknown key 'wieght' in task 'work-plan' (did you mean 'weight'?)",
        23,
    ),
    ("        due: 03-31\n", "        due: 2019-03-31\n", "not in the plan's year 2018", 21),
    ("        due: 03-31\n", "        due: 02-30\n", "'due' '02-30' is not a real date", 21),
    (
        "        due: 03-31\n",
        "        due: March 31\n",
        "is not a date; write MM-DD or YYYY-MM-DD",
        21,
    ),
    (
        "        due: 03-31\n",
        "        due: 03-31\n        due: 04-01\n",
        "key 'due' repeated in task 'work-plan' (first on line 21)",
        22,
    ),
    ("        weight: 3\n", "        weight: 0\n", "'weight' must be a number greater than 0", 22),
    ("        weight: 3\n", "        weight: -1\n", "'weight' must be a number greater than 0", 22),
    (
        "        weight: 3\n",
        "        weight: .nan\n",
        "'weight' must be a number greater than 0",
        22,
    ),
    ("        target: 20\n", "        target: 0\n", "'target' must be at least 1", 31),
    ("        target: 20\n", "        target: 2.5\n", "'target' must be a whole number", 31),
    (
        "        every: quarter\n",
        "        every: quater\n",
        "'every' must be one of week, month, quarter, half, year, not 'quater'"
        " (did you mean 'quarter'?)",
        26,
    ),
    (
        "        every: quarter\n",
        "        every: quarter\n        on: [qingming]\n",
        "'every' and 'on' exclude each other",
        27,
    ),
    (
        "        every: quarter\n        start: 2018-03-01\n",
        "        start: 2018-03-01\n",
        "'start' goes only with 'every'",
        26,
    ),
    (
        "        start: 2018-03-01\n",
        "        start: 2018-03-01\n        due: 02-01\n",
        "'start' 2018-03-01 is after 'due' 2018-02-01",
        27,
    ),
    ("        window: 3\n", "        window: -1\n", "'window' must be a whole number", 42),
    (
        "        on: [qingming, ip-day, sci-tech-week, 06-01, 2018-10-08]\n        window: 3\n",
        "        window: 3\n",
        "'window' goes only with 'on'",
        41,
    ),
    (
        "[qingming, ip-day,",
        "[qingmin, ip-day,",
        "unknown named day 'qingmin' (did you mean 'qingming'?)",
        41,
    ),
    ("[qingming, ip-day,", "[qingming, ip-day, ip-day,", "'ip-day' is listed twice in 'on'", 41),
    ("06-01, 2018-10-08]", "06-01, 2018-06-01]", "'2018-06-01' is listed twice in 'on'", 41),
    (
        "        on: [qingming, ip-day, sci-tech-week, 06-01, 2018-10-08]\n",
        "        on: []\n",
        "'on' must not be empty",
        41,
    ),
    (
        "{photos: 2, words: 200, files: 1}",
        "{photos: 0}",
        "'evidence.photos' must be at least 1",
        43,
    ),
    (
        "{photos: 2, words: 200, files: 1}",
        "{pictures: 2}",
        "unknown key 'pictures' in 'evidence'",
        43,
    ),
    (
        "  - id: activities\n",
        "  - id: Activities\n",
        "area id 'Activities' must be lowercase letters",
        35,
    ),
    (
        "  - id: activities\n",
        "  - id: leadership\n",
        "area id 'leadership' is used twice (first on line 14)",
        35,
    ),
    (
        "      - id: festival-events\n",
        "      - id: work-plan\n",
        "task id 'work-plan' is used twice (first on line 19)",
        39,
    ),
    (
        "    kind: safeguard\n",
        "    kind: safety\n",
        "'kind' must be one of key-work, safeguard",
        36,
    ),
    (
        "      - id: festival-events\n        title: 节日活动\n",
        "      - id: festival-events\n",
        "task 'festival-events' lacks the required key 'title'",
        39,
    ),
    (
        "  sci-tech-week: {name: 科技活动周, date: 2018-05-19, until: 2018-05-26}",
        "  sci-tech-week: {name: 科技活动周, date: 2018-05-19, until: 2018-05-18}",
        "'until' 2018-05-18 is before 'date' 2018-05-19",
        12,
    ),
    (
        "  sci-tech-week: {name: 科技活动周, date: 2018-05-19, until: 2018-05-26}",
        "  sci-tech-week: {date: 2018-05-19}",
        "day 'sci-tech-week' lacks the required key 'name'",
        12,
    ),
    (
        "  sci-tech-week: {name: 科技活动周, date: 2018-05-19, until: 2018-05-26}",
        "  Sci_Week: {name: x, date: 2018-05-19}",
        "day key 'Sci_Week' must be lowercase",
        12,
    ),
    (
        "title: 丰富活动载体\n",
        "title: !!python/object/apply:os.system [echo pwned]\n",
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        37,
    ),
    (
        "    tasks:\n      - id: festival-events",
        "    tasks: []\n    x:\n      - id: festival-events",
        "'tasks' must not be empty",
        38,
    ),
]


@pytest.mark.parametrize(("old", "new", "message", "line"), BAD, ids=[b[2][:40] for b in BAD])
def test_bad_plan_is_refused_and_located(old: str, new: str, message: str, line: int) -> None:
    assert old in GOOD
    found = problems(GOOD.replace(old, new, 1))
    located = [p for p in found if message in p]
    assert located, found
    assert re.match(rf"plan\.yaml:{line}:\d+: ", located[0]), located


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace("version: 1", "version: 3").replace("due: 03-31", "due: 13-31")
    text = text.replace("[qingming,", "[qingmin,")
    found = problems(text)
    assert len(found) == 3
    assert [int(p.split(":")[1]) for p in found] == sorted(int(p.split(":")[1]) for p in found)


def test_not_yaml_is_located() -> None:
    found = problems("version: 1\nyear: [2018\n")
    assert len(found) == 1 and found[0].startswith("plan.yaml:") and "not valid YAML" in found[0]


def test_several_documents_refused() -> None:
    assert "one YAML document" in problems(GOOD + "---\nversion: 1\n")[0]


def test_alias_bomb_is_refused() -> None:
    # 1,000 aliased areas of 1,000 aliased tasks: a few kilobytes that expand to a million.
    task = "  - &t {id: t, title: x}\n"
    tasks = "[" + ", ".join(["*t"] * 1000) + "]"
    text = "version: 1\nyear: 2018\nunit: u\ntitle: t\nx-tasks:\n" + task
    text += f"x-area: &a {{id: a, title: x, tasks: {tasks}}}\n"
    text += "areas: [" + ", ".join(["*a"] * 1000) + "]\n"
    found = problems(text)
    assert len(found) == 1 and "more than" in found[0]


def test_huge_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (3 * 1024 * 1024))
    with pytest.raises(PlanInvalid) as info:
        read_plan(path)
    assert "at most" in info.value.problems[0]


def test_gbk_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD.encode("gbk"))
    assert read_plan(path).unit == "某县科学技术局"


def test_utf8_bom_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    assert read_plan(path).title == "2018年文明单位创建工作方案"


def test_binary_garbage_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\x81\x00\xff\xfe" * 10)
    with pytest.raises(PlanInvalid):
        read_plan(path)
    path.write_bytes(b"version: 1\n\xff\xff\xff")
    with pytest.raises(PlanInvalid) as info:
        read_plan(path)
    assert "neither UTF-8 nor GBK" in info.value.problems[0]


def test_messages_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from wmcj.i18n import set_language

    set_language("zh")
    found = problems(
        GOOD.replace("    weight: 3", "    wieght: 3").replace(
            "        weight: 3", "        wieght: 3"
        )
    )
    assert "未知的键 'wieght'" in found[0] and "'weight'" in found[0]


def test_seed_plan_is_complete() -> None:
    spec = read_plan(Path(__file__).resolve().parent.parent / "plans" / "2018.yaml")
    kinds = [a.kind for a in spec.areas]
    assert kinds == ["key-work"] * 5 + ["safeguard"] * 3
    tasks = [t for _a, t in spec.tasks()]
    assert len(tasks) >= 35
    assert all(t.text for t in tasks), "every task quotes the seed"
    by_key = {t.key: t for t in tasks}
    assert by_key["regulations"].target == 20
    on_days = {d for t in tasks for d in (t.on or ())}
    assert {
        "qingming",
        "mid-autumn",
        "national-day",
        "ip-day",
        "disaster-reduction-day",
        "sci-tech-week",
    } <= on_days
    assert spec.named_days()["sci-tech-week"].date.isoformat() == "2018-05-19"
    assert spec.ideology and spec.goal


def test_truncated_utf16_is_refused_not_crashed(tmp_path: Path) -> None:
    path = tmp_path / "u16.yaml"
    path.write_bytes(b"\xfe\xff" + b"\x00" * 13)
    with pytest.raises(PlanInvalid) as info:
        read_plan(path)
    assert info.value.problems == [f"{path}: not a text file"]
    path.write_bytes("version: 1\n".encode("utf-16"))
    with pytest.raises(PlanInvalid) as info:  # decodes, then lacks keys: located, not a crash
        read_plan(path)
    assert "lacks the required key 'year'" in info.value.problems[0]
