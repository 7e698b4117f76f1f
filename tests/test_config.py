"""The settings file: which value wins, how values are checked, how the file is written."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wmcj import config
from wmcj.errors import InputError


@pytest.fixture
def settings_file(isolated: Path) -> Path:
    return isolated / "home" / "config" / "wmcj" / "config.toml"


def test_the_file_is_in_the_user_config_folder(settings_file: Path) -> None:
    assert config.config_path() == settings_file
    assert not settings_file.exists()
    assert config.get("mail.host") is None


def test_wmcj_config_names_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WMCJ_CONFIG", str(tmp_path / "other.toml"))
    config.set_value("mail.host", "smtp.example.com")
    assert tomllib.loads((tmp_path / "other.toml").read_text())["mail"]["host"] == (
        "smtp.example.com"
    )


def test_set_writes_tables_readable_by_the_owner_only(settings_file: Path) -> None:
    config.set_value("mail.host", " smtp.example.com ")
    config.set_value("mail.port", "465")
    config.set_value("mail.security", "SSL")
    config.set_value("lang", "zh")
    config.set_value("webhook.office.url", "https://oapi.dingtalk.com/robot/send?access_token=abc")
    assert tomllib.loads(settings_file.read_text()) == {
        "lang": "zh",
        "mail": {"host": "smtp.example.com", "port": 465, "security": "ssl"},
        "webhook": {"office": {"url": "https://oapi.dingtalk.com/robot/send?access_token=abc"}},
    }
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600
    assert settings_file.read_text().startswith("# wmcj settings")


def test_unset_removes_the_key_and_the_tables_it_empties(settings_file: Path) -> None:
    config.set_value("webhook.office.url", "https://open.feishu.cn/open-apis/bot/v2/hook/x")
    config.set_value("mail.host", "smtp.example.com")
    assert config.unset_value("webhook.office.url") is True
    assert config.unset_value("webhook.office.url") is False
    assert config.unset_value("mail.user") is False
    assert tomllib.loads(settings_file.read_text()) == {"mail": {"host": "smtp.example.com"}}
    assert config.robot_names() == []


def test_keys_added_by_hand_survive_a_set(settings_file: Path) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(
        'note = "手写"\nwhen = 2018-04-16\n[mail]\nhost = "a"\n[extra]\nlist = [1, 2.5, "三"]\n',
        encoding="utf-8",
    )
    config.set_value("mail.host", "b")
    assert tomllib.loads(settings_file.read_text(encoding="utf-8")) == {
        "note": "手写",
        "when": __import__("datetime").date(2018, 4, 16),
        "mail": {"host": "b"},
        "extra": {"list": [1, 2.5, "三"]},
    }


def test_a_symlinked_file_is_written_at_its_target(settings_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "wmcj.toml"
    target.parent.mkdir()
    target.write_text('lang = "en"\n')
    settings_file.parent.mkdir(parents=True)
    settings_file.symlink_to(target)
    config.set_value("lang", "zh")
    assert settings_file.is_symlink()
    assert tomllib.loads(target.read_text()) == {"lang": "zh"}


# -- precedence ------------------------------------------------------------------------


def test_option_then_environment_then_file_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert config.lookup("mail.security") == config.Value("mail.security", "starttls", "default")
    assert config.get("mail.port") == 587
    config.set_value("mail.security", "ssl")
    assert config.lookup("mail.security").source == "file"
    assert config.get("mail.port") == 465  # the default port follows the security in effect
    monkeypatch.setenv("WMCJ_MAIL_SECURITY", "none")
    assert config.lookup("mail.security") == config.Value(
        "mail.security", "none", "env", "WMCJ_MAIL_SECURITY"
    )
    assert config.get("mail.port") == 25
    config.set_value("mail.port", "2525")
    monkeypatch.setenv("WMCJ_MAIL_PORT", "1025")
    assert config.get("mail.port") == 1025
    assert config.lookup("mail.port", 26, "--port") == config.Value(
        "mail.port", 26, "option", "--port"
    )


def test_a_blank_environment_variable_does_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    config.set_value("mail.host", "smtp.example.com")
    monkeypatch.setenv("WMCJ_MAIL_HOST", "  ")
    assert config.get("mail.host") == "smtp.example.com"


def test_a_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WMCJ_MAIL_PORT", "smtp")
    with pytest.raises(InputError, match=r"WMCJ_MAIL_PORT: mail.port = 'smtp' is wrong"):
        config.get("mail.port")


def test_a_bad_value_in_the_file_names_the_file(settings_file: Path) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('[mail]\nsecurity = "tls"\n')
    with pytest.raises(InputError) as caught:
        config.get("mail.security")
    assert str(caught.value) == (
        f"{settings_file}: mail.security = 'tls' is wrong: choose one of: none, starttls, ssl"
    )


def test_a_broken_file_is_reported_with_its_place(settings_file: Path) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('[mail]\nhost = "unclosed\n')
    with pytest.raises(InputError) as caught:
        config.get("mail.host")
    assert str(caught.value).startswith(f"the settings file {settings_file} is not valid TOML (")
    assert "line 2" in str(caught.value)


# -- checking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("mail.port", "0", "mail.port = '0' is wrong: not a port number (1–65535)"),
        ("mail.port", "25x", "mail.port = '25x' is wrong: not a port number (1–65535)"),
        ("mail.security", "tls", "choose one of: none, starttls, ssl"),
        ("lang", "fr", "lang = 'fr' is wrong: choose one of: zh, en"),
        ("webhook.kind", "slack", "choose one of: wecom, dingtalk, feishu"),
        ("webhook.url", "qyapi.weixin.qq.com/x", "not a web address"),
        ("mail.from", "office", "not an e-mail address"),
        ("mail.password_env", "SMTP-PASSWORD", "not the name of an environment variable"),
        ("mail.host", "  ", "mail.host = '  ' is wrong: it is empty"),
        ("mail.password", "", "mail.password = '********' is wrong: it is empty"),
    ],
)
def test_bad_values_are_refused(key: str, value: str, message: str, settings_file: Path) -> None:
    with pytest.raises(InputError) as caught:
        config.set_value(key, value)
    assert message in str(caught.value)
    assert not settings_file.exists()


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("mail.prot", "no setting 'mail.prot' — did you mean 'mail.port'?"),
        ("mail.passwd", "no setting 'mail.passwd' — did you mean 'mail.password'?"),
        ("webhook.office.token", "no setting 'webhook.office.token' — did you mean"),
        ("webhook.default.url", "no setting 'webhook.default.url' — did you mean 'webhook.url'?"),
        ("colour", "no setting 'colour'; see `wmcj config show` for the keys"),
    ],
)
def test_unknown_keys_suggest_a_known_one(key: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        config.key_for(key)
    assert message in str(caught.value)


def test_named_robots_have_their_own_keys() -> None:
    key = config.key_for("webhook.leaders.secret")
    assert (key.name, key.env, key.secret) == ("webhook.leaders.secret", None, True)
    assert config.key_for("webhook.url").env == "WMCJ_WEBHOOK_URL"


def test_a_relative_db_path_is_saved_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    value, _path = config.set_value("db", "office.db")
    assert value == str(tmp_path / "office.db")
    assert config.set_value("db", "sqlite:///x.db")[0] == "sqlite:///x.db"


# -- reading once ------------------------------------------------------------------------


def test_the_file_is_parsed_once_while_unchanged(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('[mail]\nhost = "a.example.com"\n')
    parsed: list[str] = []
    real = tomllib.loads

    def counting(text: str) -> dict[str, Any]:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(tomllib, "loads", counting)
    for _ in range(5):
        assert config.get("mail.host") == "a.example.com"
    assert len(parsed) <= 1
    settings_file.write_text('[mail]\nhost = "bb.example.com"\n')
    assert config.get("mail.host") == "bb.example.com"


def test_help_and_version_never_read_the_file(settings_file: Path) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('lang = "zh"\n[mail]\nhost = "smtp.example.com"\n')
    script = (
        "import sys\n"
        "from wmcj.cli import main\n"
        "sys.argv = ['wmcj', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('READ' if 'tomllib' in sys.modules or 'wmcj.config' in sys.modules else 'UNREAD',"
        " file=sys.stderr)\n"
    )
    for args in (["--help"], ["--version"], ["summary", "--help"], ["config", "--help"]):
        result = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=60,
            check=False,
        )
        assert result.stderr.strip().endswith("UNREAD"), (args, result.stderr)


# -- showing and writing ---------------------------------------------------------------


def test_secrets_are_masked() -> None:
    assert config.shown("mail.password", "hunter2") == "********"
    assert config.shown("webhook.office.secret", "SEC123") == "********"
    assert (
        config.shown("webhook.url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6")
        == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a****"
    )
    assert (
        config.shown(
            "webhook.x.url", "https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef0123"
        )
        == "https://open.feishu.cn/open-apis/bot/v2/hook/0123****"
    )
    assert config.shown("db", "postgresql://wmcj:secret@db.example.com/wmcj") == (
        "postgresql://wmcj:***@db.example.com/wmcj"
    )
    assert config.shown("mail.password_env", "SMTP_PASSWORD") == "SMTP_PASSWORD"


_keys = st.text(min_size=0, max_size=8)
_scalars = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False),
    st.dates(),
)
_values = st.recursive(
    st.one_of(_scalars, st.lists(_scalars, max_size=3)),
    lambda inner: st.dictionaries(_keys, inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(_keys, _values, max_size=5))
def test_what_is_written_reads_back_the_same(data: dict[str, Any]) -> None:
    assert tomllib.loads(config.dumps(data)) == data
