"""``wmcj config``: the settings that stay put (database, language, mail, group robots)."""

from __future__ import annotations

from typing import Annotated

import typer

from wmcj.cli.common import Format, FormatOption, OutOption

app = typer.Typer(
    help="Settings that stay put: database, language, mail server, group robots.\n\n"
    "Example: wmcj config set mail.host smtp.example.com",
    no_args_is_help=True,
)

KeyArgument = Annotated[
    str,
    typer.Argument(help="The setting, e.g. mail.host or webhook.office.url.", show_default=False),
]


def _root_options(ctx: typer.Context) -> dict[str, tuple[str | None, str]]:
    """The root options that override a setting for this run: --db and --lang."""
    params = ctx.find_root().params
    return {"db": (params.get("db"), "--db"), "lang": (params.get("lang"), "--lang")}


@app.command("show")
def config_show(
    ctx: typer.Context,
    key: Annotated[
        str | None,
        typer.Argument(help="Show only this setting.", show_default=False),
    ] = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Show every setting in effect, where it comes from (option, environment, file or
    default), and what it means. Passwords and secrets are masked, robot keys shortened.

    Example: wmcj config show
    """
    from wmcj import config
    from wmcj.i18n import _
    from wmcj.render import Column, emit_listing

    options = _root_options(ctx)
    names = [config.key_for(key).name] if key is not None else config.all_keys()
    sources = {
        "option": _("option"),
        "env": _("environment"),
        "file": _("file"),
        "default": _("default"),
        "unset": "",
    }
    rows = []
    for name in names:
        option, option_name = options.get(name, (None, ""))
        found = config.lookup(name, option, option_name)
        value, source = config.shown(name, found.value), sources[found.source]
        if found.source == "unset":
            value, source = _fallback(name)
        rows.append(
            {
                "key": name,
                "value": value,
                "from": source,
                "where": found.origin,
                "env": config.key_for(name).env or "",
                "meaning": config.meaning(name),
            }
        )
    if key is not None and fmt == Format.table and out is None:
        print(rows[0]["value"])
        return
    columns = [
        Column("key", _("Setting"), no_wrap=True),
        Column("value", _("Value")),
        Column("from", _("From"), no_wrap=True),
        Column("env", _("Environment variable"), no_wrap=True),
        Column("meaning", _("Meaning")),
    ]
    emit_listing(columns, rows, getattr(fmt, "value", fmt), out)


def _fallback(name: str) -> tuple[str, str]:
    """What applies when nothing sets db, lang or a robot's kind; otherwise nothing."""
    from wmcj import config
    from wmcj.i18n import _

    if name == "db":
        from wmcj.db import default_db_path

        return str(default_db_path()), _("default")
    if name == "lang":
        from wmcj.i18n import locale_language

        return locale_language(), _("locale")
    if name.endswith(".kind"):
        from wmcj.delivery import robot_kind_from

        url = config.get(name.removesuffix(".kind") + ".url")
        kind = robot_kind_from(url) if url else None
        if kind is not None:
            return kind, _("address")
    return "", ""


@app.command("set")
def config_set(
    key: KeyArgument,
    value: Annotated[
        str | None,
        typer.Argument(
            help="The value (a password or secret left out is asked for, unseen).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Save a setting in the settings file (checked first: a bad value changes nothing).

    Example: wmcj config set mail.host smtp.example.com
    """
    import sys

    from wmcj import config
    from wmcj.errors import InputError
    from wmcj.i18n import _

    setting = config.key_for(key)
    if value is None:
        if not setting.secret:
            raise InputError(
                _("give the value: wmcj config set {key} VALUE").format(key=setting.name)
            )
        if sys.stdin.isatty():
            value = typer.prompt(setting.name, hide_input=True)
        else:
            value = sys.stdin.readline().rstrip("\r\n")
    stored, path = config.set_value(setting.name, value)
    print(
        _("{key} = {value} (saved in {path})").format(
            key=setting.name, value=config.shown(setting.name, stored), path=path
        )
    )


@app.command("unset")
def config_unset(key: KeyArgument) -> None:
    """Remove a setting from the settings file, so its default (or environment) applies.

    Example: wmcj config unset mail.password
    """
    from wmcj import config
    from wmcj.i18n import _

    name = config.key_for(key).name
    if config.unset_value(name):
        print(_("{key} removed from {path}").format(key=name, path=config.config_path()))
    else:
        print(_("{key} was not set in {path}").format(key=name, path=config.config_path()))


@app.command("path")
def config_path() -> None:
    """Print where the settings file is (it may not exist yet).

    Example: wmcj config path
    """
    from wmcj import config

    print(config.config_path())
