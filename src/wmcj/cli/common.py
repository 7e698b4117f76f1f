"""What many commands share: settings from the root, the database, dates, --format and --out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from wmcj.db import Database


@dataclass
class Settings:
    """The root options, handed to every command through ``ctx.obj``."""

    db: str | None = None
    _database: Database | None = field(default=None, repr=False)

    def url(self) -> str:
        """The database in effect: ``--db``, else ``WMCJ_DB``, else ``db`` in the settings
        file, else the default file.
        """
        from wmcj.config import get
        from wmcj.db import resolve_url

        return resolve_url(self.db or get("db"))

    def database(self) -> Database:
        if self._database is None:
            from wmcj.db import Database

            self._database = Database(self.url())
        return self._database

    def close(self) -> None:
        """Close the database if the command opened it: every command ends with this."""
        if self._database is not None:
            self._database.close()
            self._database = None


def database(ctx: typer.Context) -> Database:
    """The database named by ``--db`` / ``WMCJ_DB`` / the default, opened on first use."""
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):
        settings = Settings()
        ctx.find_root().obj = settings
    return settings.database()


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, json, csv or markdown.")
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Write to this file (atomically) instead of the screen.", dir_okay=False
    ),
]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        "-y",
        help="Plan year (default: this year's plan, else the latest).",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Compute as of this day, YYYY-MM-DD (default: today).", show_default=False
    ),
]


MailOption = Annotated[
    str | None,
    typer.Option(
        "--mail",
        metavar="ADDR[,ADDR…]",
        help="Also e-mail the summary to these addresses (comma-separated), through the SMTP"
        " server in the settings (wmcj config).",
        show_default=False,
    ),
]
WebhookOption = Annotated[
    list[str] | None,
    typer.Option(
        "--webhook",
        metavar="URL|NAME",
        help="Also post the summary to a group robot: its webhook URL, or the name of a robot"
        " in the settings ('default' for webhook.url). May be repeated.",
        show_default=False,
    ),
]
WebhookKindOption = Annotated[
    str | None,
    typer.Option(
        "--webhook-kind",
        metavar="KIND",
        help="The robot's kind: wecom, dingtalk or feishu (default: the settings, else the"
        " URL's host).",
        show_default=False,
    ),
]


def parse_date(value: str, option: str) -> date:
    """A date the user typed: YYYY-MM-DD, nothing looser (Python alone would take 20180426)."""
    from wmcj.errors import InputError
    from wmcj.i18n import _

    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            _("{option} '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2018-04-26").format(
                option=option, value=value
            )
        ) from None


def as_of_day(value: str | None) -> date:
    from wmcj.clock import today

    return parse_date(value, "--as-of") if value else today()
