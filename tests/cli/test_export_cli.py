"""``wmcj export xlsx`` and ``wmcj export dossier`` as a user types them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ledger_sample


@pytest.fixture
def recorded(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WMCJ_TODAY", "2018-04-16")
    return ledger_sample.record_sample(run, tmp_path / "旧台账")


@pytest.mark.parametrize(
    ("args", "example"),
    [
        (("export", "xlsx"), "Example: wmcj export xlsx --year 2018 --out 台账2018.xlsx"),
        (("export", "dossier"), "Example: wmcj export dossier --year 2018 --out 台账2018/"),
        (("activity", "import"), "Example: wmcj activity import 台账2018.xlsx --dry-run"),
    ],
)
def test_help_shows_an_example(run: Any, args: tuple[str, ...], example: str) -> None:
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert example in " ".join(result.stdout.split())


def test_export_xlsx(run: Any, recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "导出" / "台账2018.xlsx"
    result = run("export", "xlsx", "--year", "2018", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"wrote {out}: 64 tasks, 15 activities (plan 2018, as of 2018-04-16)\n"
    )
    assert out.read_bytes()[:2] == b"PK"  # a zip, as .xlsx files are
    assert sorted(p.name for p in out.parent.iterdir()) == ["台账2018.xlsx"]  # no temp files
    zh = run("--lang", "zh", "export", "xlsx", "--out", str(out), "--as-of", "2018-06-30")
    assert zh.stdout == f"已写入 {out}：64 项任务，15 项活动（2018 年计划，截至 2018-06-30）\n"


def test_export_dossier(run: Any, recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "台账2018"
    result = run("export", "dossier", "--year", "2018", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"wrote the dossier of plan 2018 to {out}: 8 areas, 64 tasks, 20 records, 14 attachments",
        "missing as of 2018-04-16: 58 tasks short of target, 3 activities without the required"
        " evidence",
        f"open {out / 'index.html'}",
    ]
    later = run("export", "dossier", "--year", "2018", "--out", str(out), "--as-of", "2019-01-01")
    assert later.exit_code == 0, later.stderr
    # After the year nothing more has been met, and all that is short is late: 64 − 1 − 5.
    assert later.stdout.splitlines()[1] == (
        "missing as of 2019-01-01: 58 tasks short of target, 3 activities without the required"
        " evidence"
    )
    index = (out / "index.html").read_text("utf-8")
    assert "<dt>As of</dt><dd>2019-01-01</dd>" in index
    assert '<span class="status status-overdue">overdue</span> 58' in index


@pytest.mark.parametrize("command", ["xlsx", "dossier"])
def test_bad_input_is_refused(run: Any, recorded: Path, tmp_path: Path, command: str) -> None:
    target = tmp_path / ("x.xlsx" if command == "xlsx" else "x")
    unknown = run("export", command, "--year", "2019", "--out", str(target))
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "error: no plan for 2019 is loaded (loaded: 2018)\n",
    )
    bad_day = run("export", command, "--as-of", "2018-02-30", "--out", str(target))
    assert bad_day.exit_code == 2
    assert "--as-of '2018-02-30' is not a date" in bad_day.stderr
    no_out = run("export", command, "--year", "2018")
    assert no_out.exit_code == 2
    assert "--out" in no_out.stderr
    assert not target.exists()


def test_without_a_plan(run: Any, tmp_path: Path) -> None:
    for command, out in (("xlsx", "a.xlsx"), ("dossier", "a")):
        result = run("export", command, "--out", str(tmp_path / out))
        assert (result.exit_code, result.stderr) == (
            2,
            "error: no plan is loaded yet; load one with: wmcj plan load FILE\n",
        )
        assert not (tmp_path / out).exists()


def test_dossier_over_a_file_is_refused(run: Any, recorded: Path, tmp_path: Path) -> None:
    file = tmp_path / "台账"
    file.write_text("keep", "utf-8")
    result = run("export", "dossier", "--out", str(file))
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {file} is a file; give a folder for the dossier, or a name ending in .zip\n",
    )
    assert file.read_text("utf-8") == "keep"
    folder = tmp_path / "台账.zip"
    folder.mkdir()
    result = run("export", "dossier", "--out", str(folder))
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {folder} is a folder; give a file name ending in .zip\n",
    )


def test_xlsx_over_a_folder_is_refused(run: Any, recorded: Path, tmp_path: Path) -> None:
    folder = tmp_path / "导出.xlsx"
    folder.mkdir()
    result = run("export", "xlsx", "--out", str(folder))
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {folder} is a folder; give a file name ending in .xlsx\n",
    )
