"""The dossier's index.html in a real browser: headless Chromium (Debian's ``chromium``).

Chromium renders the page from disk with the network closed; the links of the
rendered DOM must all lead to files inside the dossier. The screenshot is kept in
``tests/artifacts/`` (ignored by git); with ``WMCJ_DOCS_SCREENSHOT=1`` it also
replaces ``docs/dossier-index.png``, the README's picture.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import ledger_sample

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs headless Chromium: apt-get install chromium (.ci/run installs it)",
)

#: As the probe of this machine ran it: no sandbox (root), no GPU, nothing from the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result


class Rendered(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("href", "src") and v is not None]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def dossier(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The 2018 plan with the 15 sample activities, as of 2018-04-16, in Chinese."""
    monkeypatch.setenv("WMCJ_TODAY", "2018-04-16")
    monkeypatch.setenv("WMCJ_LANG", "zh")
    ledger_sample.record_sample(run, tmp_path / "旧台账")
    out = tmp_path / "台账2018"
    result = run("export", "dossier", "--year", "2018", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_index_renders_offline_with_every_link_inside_the_dossier(
    dossier: Path, tmp_path: Path
) -> None:
    index = dossier / "index.html"
    dom = chromium(tmp_path, "--dump-dom", index.as_uri()).stdout.decode("utf-8")
    page = Rendered()
    page.feed(dom)
    text = "".join(page.text)
    for shown in (
        "2018年文明单位创建工作方案",
        "某县科学技术局",
        "缺项清单（截至 2018-04-16）",
        "清明节✓",
    ):
        assert shown in text
    files = [link for link in page.links if not link.startswith("#")]
    assert len(files) == 20 + 14 + 3  # records under the tasks, their files, the undocumented
    root = dossier.resolve()
    for link in page.links:
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc, link
        target = (index.parent / unquote(parts.path)).resolve() if parts.path else index
        assert target.is_file() and target.is_relative_to(root), link

    # A record page, too: its photos load from beside it, its way back leads to the index.
    record = next(dossier.glob("05-*/05-traditional-festivals/*/记录.html"))
    dom = chromium(tmp_path, "--dump-dom", record.as_uri()).stdout.decode("utf-8")
    page = Rendered()
    page.feed(dom)
    for link in page.links:
        target = (record.parent / unquote(urlsplit(link).path)).resolve()
        assert target.is_file() and target.is_relative_to(root), link
    assert any(
        unquote(link).endswith("index.html#task-traditional-festivals") for link in page.links
    )


def test_screenshot_is_kept(dossier: Path, tmp_path: Path) -> None:
    shot = tmp_path / "dossier-index.png"
    chromium(
        tmp_path,
        "--window-size=1280,1500",
        f"--screenshot={shot}",
        (dossier / "index.html").as_uri(),
    )
    data = shot.read_bytes()
    assert png_size(data) == (1280, 1500)
    assert len(data) > 50_000  # text, tables and colours, not a blank page
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "dossier-index.png")
    if os.environ.get("WMCJ_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "dossier-index.png")


def test_it_prints_on_a4(dossier: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "index.pdf"
    chromium(
        tmp_path,
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        (dossier / "index.html").as_uri(),
    )
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes
    for width, height in boxes:  # A4 is 595.28 × 841.89 points
        assert abs(float(width) - 595.3) < 1.5 and abs(float(height) - 841.9) < 1.5
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 1 + 8  # the opening pages, then each area on pages of its own
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(pdf, ARTIFACTS / "dossier-index.pdf")
