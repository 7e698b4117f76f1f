"""``wmcj cron``: the crontab line and systemd units that send the Monday summary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from wmcj.cli.common import MailOption, Settings, WebhookKindOption, WebhookOption

AtOption = Annotated[
    str,
    typer.Option("--at", metavar="HH:MM", help="Time of day to send it (every Monday)."),
]
CrontabOption = Annotated[
    bool,
    typer.Option(
        "--crontab",
        help="Print only the crontab line, e.g. to append: (crontab -l; wmcj cron --crontab)"
        " | crontab -",
    ),
]

SERVICE = "wmcj-summary"
#: Cron and systemd start with almost no environment: the language and UTF-8 are set.
UTF8_LOCALE = "C.UTF-8"


def cron(
    ctx: typer.Context,
    mail: MailOption = None,
    webhook: WebhookOption = None,
    webhook_kind: WebhookKindOption = None,
    at: AtOption = "08:00",
    crontab_only: CrontabOption = False,
) -> None:
    """Print the crontab line, and a systemd service and timer, that run `wmcj summary`
    every Monday with this machine's paths filled in (wmcj, the database, the language),
    ready to paste. --mail and --webhook are checked now and put in the command.

    Example: wmcj cron --mail office@example.com --webhook default
    """
    import sys

    from wmcj.delivery import mail_server, parse_recipients, robot
    from wmcj.i18n import _, language

    hour, minute = _time_of_day(at)
    # The destinations are checked now, so a typo shows today and not on Monday.
    if mail is not None:
        parse_recipients(mail)
        mail_server()
    for target in webhook or []:
        robot(target, webhook_kind)

    settings = ctx.find_root().obj
    url = (settings if isinstance(settings, Settings) else Settings()).url()
    db = _database_argument(url)
    summary = ["summary"]
    if mail is not None:
        summary += ["--mail", mail]
    for target in webhook or []:
        summary += ["--webhook", target]
    if webhook_kind is not None:
        summary += ["--webhook-kind", webhook_kind.strip().lower()]
    command = [*wmcj_command(), "--db", db, *summary]
    env = {"LC_ALL": UTF8_LOCALE, "WMCJ_LANG": language()}
    log = _log_file(url)

    line = crontab_line(command, env, hour, minute, log)
    if crontab_only:
        print(line)
    else:
        print(schedule_text(command, env, hour, minute, line))
    for note in _notes(mail is not None, webhook or []):
        print(_("notice: {text}").format(text=note), file=sys.stderr)


def _time_of_day(text: str) -> tuple[int, int]:
    from wmcj.errors import InputError
    from wmcj.i18n import _

    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", text.strip())
    if not match:
        raise InputError(
            _("--at '{value}' is not a time; write it as HH:MM, e.g. 08:00").format(value=text)
        )
    return int(match[1]), int(match[2])


def wmcj_command() -> list[str]:
    """How cron should start this wmcj: the script that runs now, else the one on PATH,
    else this Python with ``-m wmcj``. Symlinks are kept (pipx upgrades stay valid).
    """
    import shutil
    import sys

    first = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if first is not None and first.name in ("wmcj", "wmcj.exe") and first.is_file():
        return [str(first.absolute())]
    found = shutil.which("wmcj")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "wmcj"]


def _database_argument(url: str) -> str:
    from wmcj.db import sqlite_path

    path = sqlite_path(url)
    return str(path.expanduser().absolute()) if path is not None else url


def _log_file(url: str) -> Path:
    """Where the cron job's output is kept: beside the database file, else in the
    default data folder.
    """
    from wmcj.db import default_db_path, sqlite_path

    path = sqlite_path(url)
    folder = (path.expanduser().absolute() if path is not None else default_db_path()).parent
    return folder / f"{SERVICE}.log"


def crontab_line(command: list[str], env: dict[str, str], hour: int, minute: int, log: Path) -> str:
    """One crontab line; ``%`` is escaped, since cron turns it into a newline."""
    import shlex

    words = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    words += [shlex.quote(word) for word in command]
    words += [">>", shlex.quote(str(log)), "2>&1"]
    return f"{minute} {hour} * * 1 " + " ".join(words).replace("%", "\\%")


def _systemd_word(word: str) -> str:
    """A word of ExecStart=: ``%`` and ``$`` doubled; quoted when it has spaces or quotes."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and not re.search(r"[\s\"'\\;]", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def schedule_text(
    command: list[str], env: dict[str, str], hour: int, minute: int, line: str
) -> str:
    """The crontab line, then the systemd service and timer, with how to install them."""
    from wmcj.i18n import _

    when = f"{hour:02d}:{minute:02d}"
    exec_start = " ".join(_systemd_word(word) for word in command)
    environment = " ".join(_systemd_word(f"{k}={v}") for k, v in env.items())
    units = "~/.config/systemd/user"
    return "\n".join(
        [
            "# "
            + _("crontab (run `crontab -e` and add this line): every Monday at {when}").format(
                when=when
            ),
            line,
            "",
            "# " + _("or systemd: {path}").format(path=f"{units}/{SERVICE}.service"),
            "[Unit]",
            "Description=" + _("wmcj weekly summary"),
            "",
            "[Service]",
            "Type=oneshot",
            f"Environment={environment}",
            f"ExecStart={exec_start}",
            "",
            "# " + _("and {path}").format(path=f"{units}/{SERVICE}.timer"),
            "[Unit]",
            "Description=" + _("wmcj weekly summary, every Monday at {when}").format(when=when),
            "",
            "[Timer]",
            f"OnCalendar=Mon *-*-* {when}:00",
            "Persistent=true",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
            "# "
            + _("then: {command}").format(
                command="systemctl --user daemon-reload && systemctl --user enable --now"
                f" {SERVICE}.timer"
            ),
            "# "
            + _(
                "(Persistent=true sends a missed summary at the next start; `loginctl"
                " enable-linger` runs it while nobody is logged in)"
            ),
        ]
    )


def _notes(mail: bool, webhooks: list[str]) -> list[str]:
    """What cron and systemd will not see: settings kept only in this shell's environment,
    and the variables that hold secrets.
    """
    from wmcj import config
    from wmcj.i18n import _

    keys: list[str] = []
    if mail:
        keys += ["mail.host", "mail.port", "mail.security", "mail.user", "mail.from"]
    if any(
        "://" not in target and target.strip().lower() == config.DEFAULT_ROBOT
        for target in webhooks
    ):
        keys += ["webhook.url", "webhook.kind"]
    notes = []
    for name in keys:
        found = config.lookup(name)
        if found.source == "env":
            notes.append(
                _(
                    "{variable} is set only in this shell, and the job will not see it; save it"
                    " with: wmcj config set {key} …"
                ).format(variable=found.origin, key=name)
            )
    secrets = []
    if mail and config.get("mail.user"):
        secrets.append(config.get("mail.password_env"))
    for target in webhooks:
        if "://" not in target:
            name = target.strip().lower()
            prefix = "webhook" if name == config.DEFAULT_ROBOT else f"webhook.{name}"
            secrets.append(config.get(f"{prefix}.secret_env"))
    for variable in filter(None, secrets):
        notes.append(
            _(
                "the job needs {variable}: add `{variable}=…` at the top of the crontab, or"
                " `Environment={variable}=…` to the service"
            ).format(variable=variable)
        )
    return notes
