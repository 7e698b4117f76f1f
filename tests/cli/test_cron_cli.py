"""``wmcj cron``: a crontab line and systemd units with this machine's paths, that work."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

WMCJ = Path(sys.executable).parent / "wmcj"


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in-process as if started as the installed ``wmcj`` script."""
    monkeypatch.setattr(sys, "argv", [str(WMCJ)])
    return WMCJ


@pytest.fixture
def mail_settings(run: Any) -> None:
    for key, value in (("mail.host", "smtp.example.com"), ("mail.from", "office@example.com")):
        assert run("config", "set", key, value).exit_code == 0


def test_the_installed_script_prints_its_own_paths(
    db_path: Path, isolated: Path, run: Any, mail_settings: None
) -> None:
    assert WMCJ.exists(), WMCJ
    result = subprocess.run(
        [str(WMCJ), "cron", "--mail", "leader@example.com,office@example.com"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "# crontab (run `crontab -e` and add this line): every Monday at 08:00"
    assert lines[1] == (
        f"0 8 * * 1 LC_ALL=C.UTF-8 WMCJ_LANG=en {WMCJ} --db {db_path} summary --mail"
        f" leader@example.com,office@example.com >> {isolated}/wmcj-summary.log 2>&1"
    )
    assert "Type=oneshot" in lines
    assert "Environment=LC_ALL=C.UTF-8 WMCJ_LANG=en" in lines
    assert (
        f"ExecStart={WMCJ} --db {db_path} summary --mail leader@example.com,office@example.com"
        in lines
    )
    assert "OnCalendar=Mon *-*-* 08:00:00" in lines
    assert "Persistent=true" in lines and "WantedBy=timers.target" in lines
    assert result.stdout.endswith("\n")


def test_crontab_only_with_robots_time_and_language(run: Any, here: Path, db_path: Path) -> None:
    run(
        "config", "set", "webhook.office.url", "https://oapi.dingtalk.com/robot/send?access_token=t"
    )
    result = run(
        "--lang", "zh", "cron", "--crontab", "--webhook", "office", "--webhook", "default",
        "--webhook-kind", "WeCom", "--at", "7:05",
    )  # fmt: skip
    assert result.exit_code == 2  # 'default' has no address yet: found now, not on Monday
    assert result.stderr.startswith("错误: 机器人 'default' 没有地址")
    result = run(
        "--lang", "zh", "cron", "--crontab", "--webhook", "office", "--at", "7:05"
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"5 7 * * 1 LC_ALL=C.UTF-8 WMCJ_LANG=zh {here} --db {db_path} summary --webhook office"
        f" >> {db_path.parent}/wmcj-summary.log 2>&1\n"
    )


def test_odd_paths_are_quoted_and_percent_escaped(
    run: Any, here: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = tmp_path / "文明 创建 100%" / "w.db"
    monkeypatch.setenv("WMCJ_DB", str(odd))
    result = run("cron")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    quoted = shlex.quote(str(odd)).replace("%", "\\%")
    log = shlex.quote(str(odd.parent / "wmcj-summary.log")).replace("%", "\\%")
    assert lines[1] == (
        f"0 8 * * 1 LC_ALL=C.UTF-8 WMCJ_LANG=en {here} --db {quoted} summary >> {log} 2>&1"
    )
    systemd_path = str(odd).replace("%", "%%")
    assert f'ExecStart={here} --db "{systemd_path}" summary' in lines


def test_the_crontab_command_runs_as_cron_would(
    run: Any, loaded: Path, db_path: Path, here: Path, isolated: Path
) -> None:
    run("config", "set", "lang", "zh")
    line = run("cron", "--crontab").stdout.strip()
    command = line.split(" ", 5)[5].replace("\\%", "%")  # cron turns \% back into %
    # Cron gives the job almost no environment: no WMCJ_DB, no XDG folders, no locale.
    result = subprocess.run(
        ["/bin/sh", "-c", command],
        env={"PATH": "/usr/bin:/bin", "HOME": str(isolated / "home"), "SHELL": "/bin/sh"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    log = (isolated / "wmcj-summary.log").read_text(encoding="utf-8")
    assert log.startswith("创建工作周报 ")
    assert "某县科学技术局 — 2018年文明单位创建工作方案" in log


def test_settings_the_job_cannot_see_are_pointed_out(
    run: Any, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMCJ_MAIL_HOST", "smtp.example.com")
    run("config", "set", "mail.from", "office@example.com")
    run("config", "set", "mail.user", "office")
    run("config", "set", "mail.password_env", "OFFICE_SMTP")
    monkeypatch.setenv("OFFICE_SMTP", "pw")
    result = run("cron", "--mail", "a@example.com")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "notice: WMCJ_MAIL_HOST is set only in this shell, and the job will not see it; save it"
        " with: wmcj config set mail.host …",
        "notice: the job needs OFFICE_SMTP: add `OFFICE_SMTP=…` at the top of the crontab, or"
        " `Environment=OFFICE_SMTP=…` to the service",
    ]
    assert "pw" not in result.stdout.split()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "8"], "error: --at '8' is not a time; write it as HH:MM, e.g. 08:00\n"),
        (["--at", "24:00"], "error: --at '24:00' is not a time; write it as HH:MM, e.g. 08:00\n"),
        (["--mail", "office"], "error: --mail: 'office' is not an e-mail address"),
        (["--mail", "a@example.com"], "error: no SMTP server to send the mail through"),
        (["--webhook", "ofice"], "error: --webhook 'ofice' is neither a URL nor a robot"),
    ],
)
def test_mistakes_show_now_and_print_nothing(
    run: Any, here: Path, args: list[str], message: str
) -> None:
    result = run("cron", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(message)
