"""The 台账 dossier: folders in plan order, record pages with their files, an offline index."""

from __future__ import annotations

import hashlib
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import ledger_sample
from wmcj.dossier import area_folder, safe_name, shortfall

RECORD = "记录.html"


class Links(HTMLParser):
    """Every href and src of a page, and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text("utf-8"))
    return links


def broken_links(root: Path) -> list[str]:
    """Links of every page that do not lead to a file (or an anchor) inside the dossier."""
    broken = []
    ids = {page: parse(page).ids for page in root.rglob("*.html")}
    for page in root.rglob("*.html"):
        for link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                broken.append(f"{page}: {link} leaves the dossier")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file() or not target.is_relative_to(root.resolve()):
                broken.append(f"{page}: {link}")
            elif parts.fragment and parts.fragment not in ids.get(target, set()):
                broken.append(f"{page}: {link} (no such anchor)")
    return broken


@pytest.fixture
def dossier(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WMCJ_TODAY", "2018-04-16")
    monkeypatch.setenv("WMCJ_LANG", "zh")
    ledger_sample.record_sample(run, tmp_path / "旧台账")
    out = tmp_path / "台账2018"
    result = run("export", "dossier", "--year", "2018", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_folders_per_area_and_task_in_plan_order(dossier: Path) -> None:
    areas = sorted(p.name for p in dossier.iterdir() if p.is_dir())
    assert areas == [
        "01-加强组织领导",
        "02-加强机关自身建设",
        "03-加强理论学习",
        "04-加强业务能力",
        "05-丰富活动载体",
        "06-广泛动员",
        "07-加强管理",
        "08-总结经验",
    ]
    tasks = sorted(p.name for p in (dossier / "01-加强组织领导").iterdir())
    assert tasks == [
        "01-annual-goal",
        "02-work-plan",
        "03-internal-assessment",
        "04-daily-management",
        "05-work-meetings",
        "06-rules-study",
    ]
    assert sum(1 for p in dossier.glob("*/*") if p.is_dir()) == 64
    assert (dossier / "02-加强机关自身建设" / "11-regulations").is_dir()


def test_each_activity_has_a_record_page_with_its_files_beside_it(dossier: Path) -> None:
    ledger = dossier.parent / "旧台账"
    folder = (
        dossier / "05-丰富活动载体" / "05-traditional-festivals" / "2018-04-04-清明节祭扫烈士墓"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["01-清明1.png", "02-清明2.png", RECORD]
    for copy, original in (("01-清明1.png", "清明1.png"), ("02-清明2.png", "清明2.png")):
        assert (folder / copy).read_bytes() == (ledger / original).read_bytes()
    page = (folder / RECORD).read_text("utf-8")
    for text in (
        "清明节祭扫烈士墓",
        "2018-04-04 周三",
        "烈士陵园",
        "张三、李四",
        "组织党员干部缅怀革命先烈。",
    ):
        assert text in page
    assert '<img src="01-%E6%B8%85%E6%98%8E1.png"' in page
    assert "✓ 齐全" in page  # two photos, as the task asks
    # An activity for two tasks is filed under both, each page linking to the other.
    rally = "2018-03-20-召开创建动员会"
    first = dossier / "06-广泛动员" / "01-mobilization-meeting" / rally / RECORD
    second = dossier / "06-广泛动员" / "02-responsibility-division" / rally / RECORD
    assert first.is_file() and second.is_file()
    assert "02-responsibility-division" in unquote(first.read_text("utf-8"))
    assert "✗ 缺少: 照片 1/2；文字说明字数 17/200" in first.read_text("utf-8")
    assert "佐证要求" not in second.read_text("utf-8")  # that task asks for no evidence
    records = list(dossier.rglob(RECORD))
    assert len(records) == 20  # 15 activities, five of them for two tasks


def test_the_index_works_offline_and_every_link_resolves(dossier: Path) -> None:
    index = (dossier / "index.html").read_text("utf-8")
    for forbidden in ("http://", "https://", "<script", "@import", "url(", "<link"):
        assert forbidden not in index
    assert broken_links(dossier) == []
    links = {unquote(link) for link in parse(dossier / "index.html").links}
    for record in dossier.rglob(RECORD):
        assert record.relative_to(dossier).as_posix() in links
    attachments = [p for p in dossier.rglob("*") if p.is_file() and p.suffix in (".png", ".pdf")]
    assert len(attachments) == 14
    for attachment in attachments:
        assert attachment.relative_to(dossier).as_posix() in links


def test_the_index_shows_the_plan_progress_and_prints_on_a4(dossier: Path) -> None:
    index = (dossier / "index.html").read_text("utf-8")
    for text in (
        "<title>2018年文明单位创建工作方案</title>",
        "某县科学技术局",
        "力争创建成市级文明单位",  # the goal
        "市级文明单位",
        "截至",
        "2018-04-16",
        "1. 加强组织领导,提高创建意识",
        "一季度✓",  # work-meetings
        "2月✗",  # daily-management fell short in February
        "清明节✓",
    ):
        assert text in index, text
    assert "size: A4" in index
    assert "section.area { break-before: page; }" in index
    assert index.count('<section class="area"') == 8


def test_the_missing_list(dossier: Path) -> None:
    index = (dossier / "index.html").read_text("utf-8")
    missing = index[index.index('id="missing"') : index.index('<section class="area"')]
    assert "尚未达标的任务（58）" in missing
    # Late first: annual-goal (overdue) comes before office-culture (not started).
    assert missing.index("annual-goal") < missing.index("office-culture")
    assert "已记录 0/1；截止 02-28 已过" in missing
    assert "未达标：2月；另有 9 期未到" in missing  # daily-management
    assert "佐证不全的活动（3）" in missing
    undocumented = missing[missing.index("佐证不全的活动") :]
    for title, task, lacking in (
        ("召开创建动员会", "mobilization-meeting", "照片 1/2；文字说明字数 17/200"),
        ("走访高新技术企业宣讲科技政策", "policy-publicity", "照片 1/2"),
        ("全民国家安全教育日宣传", "publicity-atmosphere", "照片 0/1"),
    ):
        assert title in undocumented and task in undocumented and lacking in undocumented
    assert "work-plan" not in missing  # done


def test_a_zip_holds_the_same_files(run: Any, dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "台账2018.zip"
    result = run("export", "dossier", "--year", "2018", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "请打开" not in result.stdout
    with zipfile.ZipFile(out) as archive:
        names = {n.rstrip("/") for n in archive.namelist()}
        assert archive.testzip() is None
        index = archive.read("index.html")
        photo = archive.read(
            "05-丰富活动载体/05-traditional-festivals/2018-04-04-清明节祭扫烈士墓/01-清明1.png"
        )
    on_disk = {p.relative_to(dossier).as_posix() for p in dossier.rglob("*")}
    assert names == on_disk
    assert (
        hashlib.sha256(index).digest()
        == hashlib.sha256((dossier / "index.html").read_bytes()).digest()
    )
    assert photo == (dossier.parent / "旧台账" / "清明1.png").read_bytes()


def test_an_earlier_dossier_is_replaced_other_folders_are_not_touched(
    run: Any, dossier: Path, tmp_path: Path
) -> None:
    stale = dossier / "01-加强组织领导" / "旧文件.txt"
    stale.write_text("old", "utf-8")
    again = run("export", "dossier", "--year", "2018", "--out", str(dossier))
    assert again.exit_code == 0, again.stderr
    assert not stale.exists()
    assert (dossier / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    other = tmp_path / "我的文件"
    other.mkdir()
    (other / "报告.docx").write_text("keep", "utf-8")
    refused = run("export", "dossier", "--year", "2018", "--out", str(other))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"错误: {other} 文件夹里已有其他文件；请换一个新文件夹（以前导出的台账会被替换）\n"
    )
    assert [p.name for p in other.iterdir()] == ["报告.docx"]


def test_activities_of_retired_tasks_are_kept_apart(
    run: Any, dossier: Path, tmp_path: Path
) -> None:
    plan = Path("plans/2018.yaml").read_text("utf-8")
    start = plan.index("      - id: wechat-news")
    end = plan.index("      - id: wechat-civility")
    smaller = tmp_path / "2018.yaml"
    smaller.write_text(plan[:start] + plan[end:], "utf-8")
    assert run("plan", "load", str(smaller), "--retire").exit_code == 0
    result = run("export", "dossier", "--year", "2018", "--out", str(dossier))
    assert result.exit_code == 0, result.stderr
    other = dossier / "09-其他活动" / "2018-04-12-微信公众号发布创建工作动态" / RECORD
    assert other.is_file()
    assert "其他活动" in (dossier / "index.html").read_text("utf-8")
    assert broken_links(dossier) == []


def test_names_on_disk() -> None:
    assert safe_name('a/b\\c:d*e?f"g<h>i|j#k%l') == "a-b-c-d-e-f-g-h-i-j-k-l"
    assert safe_name("  第一 行\n第二行  ") == "第一行第二行"
    assert safe_name("x" * 50) == "x" * 30
    assert (
        area_folder(3, {"id": "theory", "title": "加强理论学习,提高文明意识"}) == "03-加强理论学习"
    )
    assert area_folder(12, {"id": "misc", "title": "///"}) == "12-misc"


def test_shortfall_names_what_is_lacking() -> None:
    rule = {"photos": 2, "words": 200, "files": None}
    activity = {"photos": 1, "note_chars": 250, "files": 0}
    assert shortfall(rule, activity) == [{"what": "photos", "need": 2, "have": 1}]
    assert shortfall({"photos": None, "words": None, "files": None}, activity) == []
