"""Settings that stay put: the TOML file in the user config folder, its keys, their
environment variables, and which value wins (command-line option, then environment,
then the file, then the default).

The file is read lazily, at most once per process while it is unchanged, and not at
all when an environment variable already answers; ``tomllib`` is imported only when
the file exists. It is written atomically, readable by its owner only, because it may
hold the SMTP password or a robot's signing secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wmcj.errors import InputError, RuntimeFailure
from wmcj.i18n import LANGUAGES, _

SECURITIES = ("none", "starttls", "ssl")
ROBOT_KINDS = ("wecom", "dingtalk", "feishu")
#: The SMTP port each kind of security uses unless ``mail.port`` says otherwise.
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
#: The fields of a group robot, at ``webhook.FIELD`` (the default robot) or
#: ``webhook.NAME.FIELD`` (a named one).
ROBOT_FIELDS = ("url", "kind", "secret", "secret_env")
#: The name ``--webhook`` takes for the robot at ``webhook.url``.
DEFAULT_ROBOT = "default"

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = (
    "# wmcj settings: change them with `wmcj config set KEY VALUE` (see `wmcj config show`).\n"
    "# The file is rewritten on every change: comments are not kept.\n"
)


# -- checking a value ----------------------------------------------------------


def _text(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError(_("it is empty"))
    return text


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = value.strip().lower()
        if text not in choices:
            raise ValueError(_("choose one of: {choices}").format(choices=", ".join(choices)))
        return text

    return check


def _port(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(_("not a port number (1–65535)"))
    return int(text)


def _env_name(value: str) -> str:
    text = value.strip()
    if not _ENV_NAME.fullmatch(text):
        raise ValueError(
            _("not the name of an environment variable (letters, digits and _, e.g. SMTP_PASSWORD)")
        )
    return text


def _address(value: str) -> str:
    from email.utils import parseaddr

    text = value.strip()
    _name, address = parseaddr(text)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValueError(_("not an e-mail address (e.g. office@example.com)"))
    return text


def _url(value: str) -> str:
    from urllib.parse import urlsplit

    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(_("not a web address (it should start with https://)"))
    return text


def _database(value: str) -> str:
    """A path typed in a shell means the path from where it was typed: keep it absolute."""
    text = _text(value)
    if "://" in text:
        return text
    return str(Path(text).expanduser().absolute())


@dataclass(frozen=True, slots=True)
class Key:
    """One setting: its name in the file, its environment variable, how its value is checked."""

    name: str
    env: str | None
    check: Callable[[str], Any]
    secret: bool = False


def _robot_key(prefix: str, field: str, env: bool) -> Key:
    envs = {"url": "WMCJ_WEBHOOK_URL", "kind": "WMCJ_WEBHOOK_KIND"}
    checks: dict[str, Callable[[str], Any]] = {
        "url": _url,
        "kind": _choice(ROBOT_KINDS),
        "secret": _text,
        "secret_env": _env_name,
    }
    return Key(
        f"{prefix}.{field}",
        envs.get(field) if env else None,
        checks[field],
        secret=field == "secret",
    )


#: The settings, in the order ``config show`` lists them.
KEYS: dict[str, Key] = {
    key.name: key
    for key in (
        Key("db", "WMCJ_DB", _database),
        Key("lang", "WMCJ_LANG", _choice(LANGUAGES)),
        Key("mail.host", "WMCJ_MAIL_HOST", _text),
        Key("mail.port", "WMCJ_MAIL_PORT", _port),
        Key("mail.security", "WMCJ_MAIL_SECURITY", _choice(SECURITIES)),
        Key("mail.user", "WMCJ_MAIL_USER", _text),
        Key("mail.password", None, _text, secret=True),
        Key("mail.password_env", None, _env_name),
        Key("mail.from", "WMCJ_MAIL_FROM", _address),
        *(_robot_key("webhook", field, env=True) for field in ROBOT_FIELDS),
    )
}


def meaning(name: str) -> str:
    """What a setting is for, in the user's language (``config show``)."""
    field = name.rsplit(".", 1)[1] if name.startswith("webhook.") else name
    meanings = {
        "db": _("database file or URL"),
        "lang": _("language of messages: zh or en"),
        "mail.host": _("SMTP server"),
        "mail.port": _("SMTP port (default 587; 465 with ssl, 25 with none)"),
        "mail.security": _("none, starttls (default) or ssl"),
        "mail.user": _("SMTP login, if the server wants one"),
        "mail.password": _("SMTP password (kept in this file; better: mail.password_env)"),
        "mail.password_env": _("environment variable that holds the SMTP password"),
        "mail.from": _("sender address"),
        "url": _("group robot's webhook address"),
        "kind": _("wecom, dingtalk or feishu (default: from the address)"),
        "secret": _("robot's signing secret (DingTalk 加签, Feishu 签名校验)"),
        "secret_env": _("environment variable that holds the signing secret"),
    }
    return meanings.get(field, "")


def key_for(name: str) -> Key:
    """The setting called ``name``; a named robot's keys are ``webhook.NAME.FIELD``."""
    found = KEYS.get(name)
    if found is not None:
        return found
    parts = name.split(".")
    if (
        len(parts) == 3
        and parts[0] == "webhook"
        and parts[2] in ROBOT_FIELDS
        and _NAME.fullmatch(parts[1])
        and parts[1] not in (*ROBOT_FIELDS, DEFAULT_ROBOT)
    ):
        return _robot_key(f"webhook.{parts[1]}", parts[2], env=False)
    import difflib

    known = [*KEYS, *(f"webhook.{n}.{f}" for n in robot_names() for f in ROBOT_FIELDS)]
    close = difflib.get_close_matches(name, known, n=1)
    hint = (
        _(" — did you mean '{key}'?").format(key=close[0])
        if close
        else _("; see `wmcj config show` for the keys")
    )
    raise InputError(_("no setting '{key}'").format(key=name) + hint)


# -- the file ------------------------------------------------------------------

_cache: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}


def config_path() -> Path:
    """``WMCJ_CONFIG``, else ``config.toml`` in the user's config folder (platformdirs)."""
    chosen = os.environ.get("WMCJ_CONFIG", "").strip()
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_path

    return user_config_path("wmcj", appauthor=False) / "config.toml"


def read_file() -> dict[str, Any]:
    """The file's contents (empty when there is none), parsed once while it is unchanged."""
    path = config_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot read the settings file {path}: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad adds a BOM
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            _(
                "the settings file {path} is not valid TOML ({reason}); fix it, or remove it"
                " and use `wmcj config set`"
            ).format(path=path, reason=exc)
        ) from None
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot read the settings file {path}: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None
    _cache[str(path)] = (stamp, data)
    return data


def write_file(data: dict[str, Any]) -> Path:
    """Replace the file atomically (a symlinked file is replaced at its target)."""
    from wmcj.render import write_out

    path = config_path()
    target = path.resolve() if path.is_symlink() else path
    # write_out goes through mkstemp, so the file is created readable by its owner only.
    write_out(dumps(data), target)
    try:
        stat = target.stat()
        _cache[str(path)] = ((stat.st_mtime_ns, stat.st_size), data)
    except OSError:
        _cache.pop(str(path), None)
    return path


def _lookup(data: dict[str, Any], name: str) -> Any:
    node: Any = data
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if isinstance(node, dict) else node


def robot_names() -> list[str]:
    """The named robots in the file (``[webhook.NAME]`` tables), in file order."""
    hooks = read_file().get("webhook")
    if not isinstance(hooks, dict):
        return []
    return [name for name, value in hooks.items() if isinstance(value, dict)]


# -- which value wins -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    """A setting's value and where it came from: option, env, file, default or unset."""

    key: str
    value: Any
    source: str
    origin: str = ""


def _checked(key: Key, raw: Any, where: str) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InputError(
            _("{where}: {key} must be text, not {value!r}").format(
                where=where, key=key.name, value=raw
            )
        )
    try:
        return key.check(str(raw))
    except ValueError as exc:
        shown = "********" if key.secret else str(raw)
        raise InputError(
            _("{where}: {key} = '{value}' is wrong: {reason}").format(
                where=where, key=key.name, value=shown, reason=exc
            )
        ) from None


def lookup(name: str, option: Any = None, option_name: str = "") -> Value:
    """The value of one setting: ``option`` if given, else its environment variable,
    else the file, else its default. Values from the environment and the file are checked.
    """
    key = key_for(name)
    if option is not None and option != "":
        return Value(name, option, "option", option_name)
    if key.env:
        raw = os.environ.get(key.env, "")
        if raw.strip():
            return Value(name, _checked(key, raw, key.env), "env", key.env)
    raw = _lookup(read_file(), name)
    if raw is not None:
        where = str(config_path())
        return Value(name, _checked(key, raw, where), "file", where)
    fallback = default(name)
    return Value(name, fallback, "unset" if fallback is None else "default")


def get(name: str, option: Any = None) -> Any:
    """The value that wins for ``name`` (``None`` when nothing sets it)."""
    return lookup(name, option).value


def default(name: str) -> Any:
    if name == "mail.security":
        return "starttls"
    if name == "mail.port":
        return DEFAULT_PORTS[get("mail.security")]
    return None


_detecting = False


def file_language() -> str | None:
    """``lang`` from the file, for language detection: a broken file or value is ignored
    here (the command that needs the file reports it).
    """
    from wmcj.errors import WmcjError

    global _detecting
    if _detecting:  # the message about a broken file asks for the language again
        return None
    _detecting = True
    try:
        value = _lookup(read_file(), "lang")
    except WmcjError:
        return None
    finally:
        _detecting = False
    text = str(value).strip().lower() if isinstance(value, str) else ""
    return text if text in LANGUAGES else None


# -- changing the file -----------------------------------------------------------


def set_value(name: str, raw: str) -> tuple[Any, Path]:
    """Check ``raw`` for the setting ``name`` and save it; returns the value stored."""
    key = key_for(name)
    try:
        value = key.check(raw)
    except ValueError as exc:
        shown = "********" if key.secret else raw
        raise InputError(
            _("{key} = '{value}' is wrong: {reason}").format(key=name, value=shown, reason=exc)
        ) from None
    data = _copy(read_file())
    node = data
    parts = name.split(".")
    for index, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise InputError(
                _("{path}: '{table}' is not a table; fix the file by hand").format(
                    path=config_path(), table=".".join(parts[: index + 1])
                )
            )
        node = child
    node[parts[-1]] = value
    return value, write_file(data)


def unset_value(name: str) -> bool:
    """Remove a setting from the file; False when it was not set there."""
    key_for(name)
    data = _copy(read_file())
    parts = name.split(".")
    trail: list[dict[str, Any]] = [data]
    for part in parts[:-1]:
        child = trail[-1].get(part)
        if not isinstance(child, dict):
            return False
        trail.append(child)
    if parts[-1] not in trail[-1] or isinstance(trail[-1][parts[-1]], dict):
        return False
    del trail[-1][parts[-1]]
    # Drop the tables the removal emptied: [webhook.office] goes with its last key.
    for depth in range(len(parts) - 1, 0, -1):
        if not trail[depth]:
            del trail[depth - 1][parts[depth - 1]]
    write_file(data)
    return True


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in data.items()}


# -- showing a value ---------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")


def mask_url(url: str) -> str:
    """A robot address with its key hidden: query values and token-like path parts
    keep their first four characters.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    def hide(text: str) -> str:
        return text[:4] + "****" if text else text

    parts = urlsplit(url)
    path = "/".join(hide(p) if _TOKEN.fullmatch(p) else p for p in parts.path.split("/"))
    query = urlencode([(k, hide(v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "****@" + netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment)).replace("%2A", "*")


def shown(name: str, value: Any) -> str:
    """A value as ``config show`` prints it: secrets hidden, robot keys masked."""
    if value is None:
        return ""
    key = key_for(name)
    if key.secret:
        return "********"
    if name.endswith(".url") or name == "webhook.url":
        return mask_url(str(value))
    if name == "db":
        from wmcj.db import display_name

        return display_name(str(value)) if "://" in str(value) else str(value)
    return str(value)


def all_keys() -> list[str]:
    """Every setting to show: the fixed keys, then each named robot's."""
    return [*KEYS, *(f"webhook.{n}.{f}" for n in robot_names() for f in ROBOT_FIELDS)]


# -- writing TOML ------------------------------------------------------------------
# The schema is a few tables of strings and numbers; tomllib reads, and this writes,
# so wmcj needs no TOML package. It writes every value tomllib can return, so keys a
# user added by hand survive a `config set`.

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _value(value: Any) -> str:
    from datetime import date, datetime, time

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)  # 'inf', '-inf' and 'nan' are TOML too
        return text if any(c in text for c in ".eni") else text + ".0"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(data: dict[str, Any]) -> str:
    """``data`` as a TOML document: plain keys first, then one ``[table]`` per dict."""
    lines: list[str] = [_HEADER.rstrip("\n")]

    def table(path: list[str], node: dict[str, Any]) -> None:
        scalars = [(k, v) for k, v in node.items() if not isinstance(v, dict)]
        tables = [(k, v) for k, v in node.items() if isinstance(v, dict)]
        if path and (scalars or not tables):
            lines.extend(["", "[" + ".".join(_key(p) for p in path) + "]"])
        lines.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars)
        for name, child in tables:
            table([*path, name], child)

    table([], data)
    return "\n".join(lines) + "\n"
