"""``wmcj summary``: the weekly summary a cron job mails every Monday."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wmcj.cli.common import (
    MailOption,
    OutOption,
    WebhookKindOption,
    WebhookOption,
    database,
    parse_date,
)

if TYPE_CHECKING:
    from pathlib import Path

    from wmcj.delivery import MailServer, Robot

    Delivery = tuple[MailServer, list[str]] | Robot


class SummaryFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


WeekOption = Annotated[
    str | None,
    typer.Option(
        "--week",
        "-w",
        help="ISO week YYYY-Www, e.g. 2018-W15 (default: the last complete week before today).",
        show_default=False,
    ),
]
SummaryAsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Summarise the last complete week before this day, YYYY-MM-DD (default: today).",
        show_default=False,
    ),
]
SummaryFormatOption = Annotated[
    SummaryFormat,
    typer.Option(
        "--format",
        "-f",
        help="text (Rich on a terminal, plain e-mail text otherwise), markdown or json.",
    ),
]


def summary(
    ctx: typer.Context,
    week: WeekOption = None,
    as_of: SummaryAsOfOption = None,
    fmt: SummaryFormatOption = "text",  # type: ignore[assignment]
    out: OutOption = None,
    mail: MailOption = None,
    webhook: WebhookOption = None,
    webhook_kind: WebhookKindOption = None,
) -> None:
    """Summarise one ISO week: its activities by area, tasks marked done, what is overdue,
    what comes up next, and how overall progress moved. Plain text when not on a terminal,
    so cron can mail it. --mail and --webhook also send it (settings: wmcj config); the
    summary is printed (or written to --out) first, so a failed delivery loses nothing.

    Example: wmcj summary --week 2018-W15

    Example: wmcj summary --mail office@example.com --webhook default
    """
    from wmcj.clock import today
    from wmcj.reportviews import print_summary
    from wmcj.summary import parse_week, summary_data

    if week is not None and as_of is not None:
        from wmcj.errors import InputError
        from wmcj.i18n import _

        raise InputError(_("--week and --as-of both choose the week; give one of them, not both"))
    monday = parse_week(week) if week is not None else None
    day = parse_date(as_of, "--as-of") if as_of else today()
    deliveries = _deliveries(mail, webhook or [], webhook_kind)
    with database(ctx).read() as session:
        data = summary_data(session=session, week=monday, as_of=day)
    print_summary(data, getattr(fmt, "value", fmt), out)
    if deliveries:
        _deliver(data, deliveries, out)


def _deliveries(mail: str | None, webhooks: list[str], kind: str | None) -> list[Delivery]:
    """Where the summary goes, settled before anything is done: bad settings exit 2."""
    from wmcj.delivery import mail_server, parse_recipients, robot

    found: list[Delivery] = []
    if mail is not None:
        recipients = parse_recipients(mail)
        found.append((mail_server(), recipients))
    found.extend(robot(target, kind) for target in webhooks)
    return found


def _deliver(data: dict[str, Any], deliveries: list[Delivery], out: Path | None) -> None:
    """Send to every destination; the failures, together, exit 1 once all were tried."""
    import sys

    from wmcj.delivery import Robot, post, send_mail
    from wmcj.errors import RuntimeFailure
    from wmcj.i18n import _
    from wmcj.reportviews import summary_html, summary_markdown, summary_plain, summary_subject

    subject = summary_subject(data)
    failures: list[str] = []
    for target in deliveries:
        try:
            if isinstance(target, Robot):
                count = post(target, title=subject, markdown=summary_markdown(data))
                done = (
                    _("posted the summary to {robot}").format(robot=target.label)
                    if count == 1
                    else _("posted the summary to {robot} in {n} messages").format(
                        robot=target.label, n=count
                    )
                )
            else:
                server, recipients = target
                send_mail(
                    server,
                    recipients,
                    subject=subject,
                    text=summary_plain(data),
                    html=summary_html(data),
                )
                done = _("mailed the summary to {recipients} through {server}").format(
                    recipients=", ".join(recipients), server=server.label
                )
        except RuntimeFailure as exc:
            failures.append(str(exc))
        else:
            print(done, file=sys.stderr)
    if failures:
        kept = (
            _("the summary was written to {path}").format(path=out)
            if out is not None
            else _("the summary was printed above")
        )
        raise RuntimeFailure("\n".join([*failures, kept]))
