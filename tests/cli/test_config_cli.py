"""``wmcj config``: show, set, unset, path; and the settings taking effect in commands."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
WECOM = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


@pytest.fixture
def settings_file(isolated: Path) -> Path:
    return isolated / "home" / "config" / "wmcj" / "config.toml"


def show(run: Any, *args: str, env: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    result = run(*args, "config", "show", "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    return {row["key"]: row for row in json.loads(result.stdout)}


def test_path_prints_the_file(run: Any, settings_file: Path) -> None:
    result = run("config", "path")
    assert (result.exit_code, result.stdout) == (0, f"{settings_file}\n")


def test_set_show_unset(run: Any, settings_file: Path) -> None:
    result = run("config", "set", "mail.host", "smtp.example.com")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"mail.host = smtp.example.com (saved in {settings_file})\n"
    assert run("config", "show", "mail.host").stdout == "smtp.example.com\n"
    rows = show(run)
    assert rows["mail.host"] == {
        "key": "mail.host",
        "value": "smtp.example.com",
        "from": "file",
        "where": str(settings_file),
        "env": "WMCJ_MAIL_HOST",
        "meaning": "SMTP server",
    }
    assert (rows["mail.security"]["value"], rows["mail.security"]["from"]) == (
        "starttls",
        "default",
    )
    assert (rows["mail.port"]["value"], rows["mail.port"]["from"]) == ("587", "default")
    assert (rows["mail.user"]["value"], rows["mail.user"]["from"]) == ("", "")
    result = run("config", "unset", "mail.host")
    assert result.stdout == f"mail.host removed from {settings_file}\n"
    assert run("config", "unset", "mail.host").stdout == (
        f"mail.host was not set in {settings_file}\n"
    )
    assert tomllib.loads(settings_file.read_text()) == {}


def test_show_masks_the_password_and_the_robot_key(run: Any, settings_file: Path) -> None:
    assert run("config", "set", "mail.password", "hunter2").stdout == (
        f"mail.password = ******** (saved in {settings_file})\n"
    )
    run("config", "set", "webhook.url", WECOM)
    run(
        "config",
        "set",
        "webhook.leaders.url",
        "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef",
    )
    run("config", "set", "webhook.leaders.secret", "SECabcdef")
    table = run("config", "show").stdout
    json_out = run("config", "show", "--format", "json").stdout
    for text in (table, json_out):
        assert "hunter2" not in text and KEY not in text and "SECabcdef" not in text
        assert "0123456789abcdef" not in text
    rows = show(run)
    assert rows["mail.password"]["value"] == "********"
    assert rows["webhook.url"]["value"] == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a****"
    )
    assert rows["webhook.kind"]["value"] == "wecom" and rows["webhook.kind"]["from"] == "address"
    assert rows["webhook.leaders.url"]["value"].endswith("access_token=0123****")
    assert rows["webhook.leaders.secret"]["value"] == "********"
    assert rows["webhook.leaders.kind"]["value"] == "dingtalk"
    assert settings_file.read_text().count("hunter2") == 1  # kept, owner-only


def test_a_secret_left_out_is_read_from_stdin(run: Any, settings_file: Path) -> None:
    result = run("config", "set", "mail.password", input="s3cret 密码\n")
    assert result.exit_code == 0, result.stderr
    assert "s3cret" not in result.stdout
    assert tomllib.loads(settings_file.read_text())["mail"]["password"] == "s3cret 密码"
    result = run("config", "set", "mail.host")
    assert result.exit_code == 2
    assert result.stderr == "error: give the value: wmcj config set mail.host VALUE\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "mail.prot", "25"], "error: no setting 'mail.prot' — did you mean 'mail.port'?\n"),
        (
            ["set", "mail.port", "70000"],
            "error: mail.port = '70000' is wrong: not a port number (1–65535)\n",
        ),
        (
            ["set", "mail.security", "tls"],
            "error: mail.security = 'tls' is wrong: choose one of: none, starttls, ssl\n",
        ),
        (["set", "lang", "fr"], "error: lang = 'fr' is wrong: choose one of: zh, en\n"),
        (["unset", "webhook.ur"], "error: no setting 'webhook.ur' — did you mean 'webhook.url'?\n"),
        (["show", "colour"], "error: no setting 'colour'; see `wmcj config show` for the keys\n"),
    ],
)
def test_bad_keys_and_values_exit_2_and_write_nothing(
    run: Any, settings_file: Path, args: list[str], message: str
) -> None:
    result = run("config", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    assert not settings_file.exists()


def test_messages_in_chinese(run: Any) -> None:
    result = run("--lang", "zh", "config", "set", "mail.port", "x")
    assert result.stderr == "错误: mail.port = 'x' 有误：不是端口号（1–65535）\n"


def test_show_tells_where_each_value_comes_from(
    run: Any, settings_file: Path, db_path: Path
) -> None:
    run("config", "set", "mail.port", "2525")
    rows = show(run, env={"WMCJ_MAIL_PORT": "1025"})
    assert (rows["mail.port"]["value"], rows["mail.port"]["from"]) == ("1025", "environment")
    assert rows["mail.port"]["where"] == "WMCJ_MAIL_PORT"
    assert (rows["db"]["value"], rows["db"]["where"]) == (str(db_path), "WMCJ_DB")
    rows = show(run, "--db", "other.db", "--lang", "en")
    assert (rows["db"]["value"], rows["db"]["from"]) == ("other.db", "option")
    assert (rows["lang"]["value"], rows["lang"]["from"]) == ("en", "option")
    run("config", "set", "lang", "zh")
    rows = show(run)
    assert (rows["lang"]["value"], rows["lang"]["from"]) == ("zh", "设置文件")


def test_a_broken_file_is_one_clear_error(run: Any, settings_file: Path) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text("[mail\nhost = 1\n")
    result = run("config", "show")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: the settings file {settings_file} is not valid TOML")
    assert len(result.stderr.splitlines()) == 1


# -- the settings in effect ---------------------------------------------------------------


def test_lang_option_then_env_then_file_then_locale(run: Any, loaded: Path) -> None:
    args = ["summary", "--week", "2018-W15"]
    assert run(*args).stdout.startswith("Weekly summary")
    run("config", "set", "lang", "zh")
    assert run(*args).stdout.startswith("创建工作周报")
    assert run(*args, env={"LANG": "en_US.UTF-8"}).stdout.startswith("创建工作周报")
    assert run(*args, env={"WMCJ_LANG": "en"}).stdout.startswith("Weekly summary")
    assert run("--lang", "en", *args, env={"WMCJ_LANG": "zh"}).stdout.startswith("Weekly")
    run("config", "unset", "lang")
    assert run(*args, env={"LANG": "zh_CN.UTF-8"}).stdout.startswith("创建工作周报")


def test_db_option_then_env_then_file_then_default(
    run: Any, loaded: Path, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.db"
    monkeypatch.delenv("WMCJ_DB")
    # Nothing set: the default file in the user data folder (empty: no plan loaded).
    assert run("plan", "list", "--format", "json").stdout.strip() == "[]"
    assert (tmp_path / "home" / "data" / "wmcj" / "wmcj.db").is_file()
    run("config", "set", "db", str(db_path))
    assert json.loads(run("plan", "list", "--format", "json").stdout)[0]["year"] == 2018
    assert run("plan", "list", "--format", "json", env={"WMCJ_DB": str(other)}).stdout.strip() == (
        "[]"
    )
    result = run("--db", str(other), "plan", "list", "--format", "json")
    assert result.stdout.strip() == "[]"
    assert json.loads(run("--db", str(db_path), "plan", "list", "--format", "json").stdout)
