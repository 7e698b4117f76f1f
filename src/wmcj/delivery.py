"""Taking the summary where people read it: e-mail over SMTP, and the group robots of
WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书) over their webhooks.

Where to send is settled first (:func:`mail_server`, :func:`parse_recipients`,
:func:`robot`), so bad settings fail as bad input before anything is sent. Sending
fails with :class:`RuntimeFailure` naming the server and what it answered. Nothing
here prints; ``smtplib``, ``email`` and ``urllib`` are imported only to send.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wmcj import config
from wmcj.errors import InputError, RuntimeFailure
from wmcj.i18n import _

if TYPE_CHECKING:
    from email.message import EmailMessage

#: Seconds to wait for the SMTP server or a robot before giving up.
MAIL_TIMEOUT = 30.0
WEBHOOK_TIMEOUT = 15.0
#: The robot behind each official webhook host.
ROBOT_HOSTS = {
    "qyapi.weixin.qq.com": "wecom",
    "oapi.dingtalk.com": "dingtalk",
    "open.feishu.cn": "feishu",
    "open.larksuite.com": "feishu",
}
#: Bytes one robot message may hold: WeCom counts the Markdown content (4096), DingTalk
#: the Markdown text (20000), Feishu the whole request body (20 KB; 20000 kept).
LIMITS = {"wecom": 4096, "dingtalk": 20000, "feishu": 20000}


# -- mail ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MailServer:
    """The SMTP server and the account the summary is sent from."""

    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


_SPLIT = re.compile(r"[,，;；]")


def parse_recipients(text: str) -> list[str]:
    """``--mail a@x,b@y``: commas (also Chinese ones) or semicolons between addresses."""
    from email.utils import parseaddr

    recipients = []
    for item in filter(None, (part.strip() for part in _SPLIT.split(text))):
        _name, address = parseaddr(item)
        local, _at, domain = address.rpartition("@")
        if not local or ("." not in domain.strip(".") and domain != "localhost"):
            raise InputError(
                _("--mail: '{address}' is not an e-mail address (e.g. office@example.com)").format(
                    address=item
                )
            )
        if address not in recipients:
            recipients.append(address)
    if not recipients:
        raise InputError(_("--mail needs at least one address, e.g. --mail office@example.com"))
    return recipients


def mail_server() -> MailServer:
    """The SMTP settings in effect (environment over the file), complete or an InputError."""
    host = config.get("mail.host")
    if not host:
        raise InputError(
            _(
                "no SMTP server to send the mail through; set one with"
                " `wmcj config set mail.host smtp.example.com` (or WMCJ_MAIL_HOST)"
            )
        )
    security = config.get("mail.security")
    user = config.get("mail.user")
    sender = config.get("mail.from") or (user if user and "@" in user else None)
    if not sender:
        raise InputError(
            _(
                "no sender address; set one with `wmcj config set mail.from office@example.com`"
                " (or WMCJ_MAIL_FROM)"
            )
        )
    return MailServer(
        host=host,
        port=config.get("mail.port"),
        security=security,
        user=user,
        password=_mail_password() if user else None,
        sender=sender,
    )


def _mail_password() -> str:
    variable = config.get("mail.password_env")
    if variable:
        value = os.environ.get(variable, "")
        if not value:
            raise InputError(
                _(
                    "mail.password_env names {variable}, but that environment variable is not"
                    " set; set it (for cron: in the crontab) or unset mail.password_env"
                ).format(variable=variable)
            )
        return value
    password = config.get("mail.password")
    if not password:
        raise InputError(
            _(
                "mail.user is set but there is no password: name the environment variable"
                " that holds it with `wmcj config set mail.password_env SMTP_PASSWORD`"
            )
        )
    return password


def mail_message(
    server: MailServer, recipients: list[str], *, subject: str, text: str, html: str
) -> EmailMessage:
    """A UTF-8 message: the plain text, with the HTML as its alternative."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid, parseaddr

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = server.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    # An explicit domain: without one, make_msgid asks DNS for this machine's name.
    domain = parseaddr(server.sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    # Base64 keeps the message 7-bit clean for any relay, and is the compact choice for Chinese.
    message.set_content(text, charset="utf-8", cte="base64")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return message


def _tls_context() -> Any:
    """Certificates checked against the system's CAs (``SSL_CERT_FILE`` adds a private one)."""
    import ssl

    return ssl.create_default_context()


def send_mail(
    server: MailServer, recipients: list[str], *, subject: str, text: str, html: str
) -> None:
    """Send one message to every recipient; any refusal is a failure naming the server."""
    import smtplib
    import ssl
    from email.utils import parseaddr

    message = mail_message(server, recipients, subject=subject, text=text, html=html)
    sender = parseaddr(server.sender)[1]

    def failed(answer: str) -> RuntimeFailure:
        return RuntimeFailure(
            _("mail not sent: the SMTP server {server} answered: {answer}").format(
                server=server.label, answer=answer
            )
        )

    try:
        if server.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=MAIL_TIMEOUT, context=_tls_context()
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=MAIL_TIMEOUT)
        with client:
            if server.security == "starttls":
                client.starttls(context=_tls_context())
            if server.user:
                client.login(server.user, server.password or "")
            refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        raise failed(_refusals(exc.recipients)) from None
    except smtplib.SMTPNotSupportedError:
        raise RuntimeFailure(
            _(
                "mail not sent: the SMTP server {server} does not offer STARTTLS; set"
                " mail.security to ssl (port 465) or none"
            ).format(server=server.label)
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise failed(_answer(exc.smtp_code, exc.smtp_error)) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise failed(_("it closed the connection ({reason})").format(reason=exc)) from None
    except ssl.SSLError as exc:
        raise RuntimeFailure(
            _("mail not sent: TLS with the SMTP server {server} failed: {reason}").format(
                server=server.label, reason=getattr(exc, "verify_message", None) or exc.reason
            )
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise RuntimeFailure(
            _("mail not sent: cannot reach the SMTP server {server}: {reason}").format(
                server=server.label, reason=_os_reason(exc)
            )
        ) from None
    if refused:
        raise failed(_refusals(refused))


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}".strip()


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        _("{address} refused ({answer})").format(address=address, answer=_answer(*answer))
        for address, answer in refused.items()
    )


def _os_reason(exc: BaseException | str, timeout: float = MAIL_TIMEOUT) -> str:
    if isinstance(exc, str):
        return exc
    if isinstance(exc, TimeoutError):
        return _("no answer within {seconds:g} s").format(seconds=timeout)
    return str(getattr(exc, "strerror", None) or exc) or type(exc).__name__


# -- group robots ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Robot:
    """A group robot's webhook: where to post, in which shape, how to sign."""

    url: str
    kind: str
    secret: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """``the WeCom robot 'office' (qyapi.weixin.qq.com)``: never the key in the URL."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        host = parts.hostname or ""
        where = f"{host}:{parts.port}" if parts.port else host
        if self.name:
            return _("the {kind} robot '{name}' ({host})").format(
                kind=robot_name(self.kind), name=self.name, host=where
            )
        return _("the {kind} robot at {host}").format(kind=robot_name(self.kind), host=where)


def robot_name(kind: str) -> str:
    """The product name of a robot kind, as people call it: 企业微信, 钉钉, 飞书."""
    names = {"wecom": _("WeCom"), "dingtalk": _("DingTalk"), "feishu": _("Feishu")}
    return names[kind]


def robot_kind_from(url: str) -> str | None:
    """The robot an official webhook host belongs to."""
    from urllib.parse import urlsplit

    return ROBOT_HOSTS.get((urlsplit(url).hostname or "").lower())


def robot(target: str, kind: str | None = None) -> Robot:
    """``--webhook`` resolved: a URL as given, or the name of a robot in the settings
    (``default`` is ``webhook.url``). The kind: ``--webhook-kind``, else the settings,
    else the official host.
    """
    target = target.strip()
    if kind is not None:
        kind = _robot_kind_option(kind)
    name: str | None = None
    secret: str | None = None
    if "://" in target:
        try:
            url = config.key_for("webhook.url").check(target)
        except ValueError as exc:
            raise InputError(
                _("--webhook '{url}' cannot be used: {reason}").format(url=target, reason=exc)
            ) from None
        configured_kind = None
    else:
        name = target.lower()
        prefix = "webhook" if name == config.DEFAULT_ROBOT else f"webhook.{name}"
        if name != config.DEFAULT_ROBOT and name not in config.robot_names():
            _unknown_robot(target)
        url = config.get(f"{prefix}.url")
        if not url:
            raise InputError(
                _(
                    "the robot '{name}' has no address; set it with"
                    " `wmcj config set {key} https://…`"
                ).format(name=name, key=f"{prefix}.url")
            )
        configured_kind = config.get(f"{prefix}.kind")
        secret = _robot_secret(prefix)
    chosen = kind or configured_kind or robot_kind_from(url)
    if chosen is None:
        raise InputError(
            _(
                "cannot tell which robot {url} is; add --webhook-kind wecom, dingtalk or feishu"
            ).format(url=config.mask_url(url))
        )
    return Robot(url=url, kind=chosen, secret=secret, name=name)


def _robot_kind_option(kind: str) -> str:
    chosen = kind.strip().lower()
    if chosen not in config.ROBOT_KINDS:
        raise InputError(
            _("--webhook-kind must be wecom, dingtalk or feishu, not '{kind}'").format(kind=kind)
        )
    return chosen


def _unknown_robot(target: str) -> None:
    import difflib

    names = [config.DEFAULT_ROBOT, *config.robot_names()]
    close = difflib.get_close_matches(target.lower(), names, n=1)
    hint = _(" — did you mean '{name}'?").format(name=close[0]) if close else ""
    raise InputError(
        _(
            "--webhook '{name}' is neither a URL nor a robot in the settings{hint}; add one"
            " with `wmcj config set webhook.{name}.url https://…`"
        ).format(name=target, hint=hint)
    )


def _robot_secret(prefix: str) -> str | None:
    variable = config.get(f"{prefix}.secret_env")
    if variable:
        value = os.environ.get(variable, "")
        if not value:
            raise InputError(
                _("{key} names {variable}, but that environment variable is not set").format(
                    key=f"{prefix}.secret_env", variable=variable
                )
            )
        return value
    secret: str | None = config.get(f"{prefix}.secret")
    return secret


def split_lines(text: str, budget: int, cost: Callable[[str], int], newline: int = 1) -> list[str]:
    """``text`` cut at line ends into parts costing at most ``budget`` each; a line that
    alone is over budget is cut between characters.
    """
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in _pieces(text.rstrip("\n").split("\n"), budget, cost):
        size = cost(line) + (newline if current else 0)
        if current and used + size > budget:
            parts.append("\n".join(current))
            current, used = [], 0
            size = cost(line)
        current.append(line)
        used += size
    if current:
        parts.append("\n".join(current))
    return parts


def _pieces(lines: list[str], budget: int, cost: Callable[[str], int]) -> list[str]:
    out: list[str] = []
    for line in lines:
        while cost(line) > budget:
            # The longest head within budget (at least one character, so this ends).
            low, high = 1, len(line)
            while low < high:
                middle = (low + high + 1) // 2
                if cost(line[:middle]) <= budget:
                    low = middle
                else:
                    high = middle - 1
            out.append(line[:low])
            line = line[low:]
        out.append(line)
    return out


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _json_bytes(text: str) -> int:
    """What ``text`` adds to a JSON body written with ``ensure_ascii=False``."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


def _feishu_markdown(markdown: str) -> str:
    """Feishu cards' Markdown has no headings: they become bold lines."""
    return re.sub(r"(?m)^#{1,6} +(.+)$", r"**\1**", markdown)


def _continued(part: int, parts: int) -> str:
    return _("(continued, part {part} of {parts})").format(part=part, parts=parts)


def robot_requests(
    robot: Robot, *, title: str, markdown: str, now: float
) -> list[tuple[str, dict[str, Any]]]:
    """The (URL, JSON body) pairs that carry ``markdown`` to ``robot``, each within its limit.

    A summary over the limit is split at line ends; the parts after the first start with
    a "continued" line and their titles end with (2/3).
    """
    kind = robot.kind
    body = _feishu_markdown(markdown) if kind == "feishu" else markdown
    if kind == "feishu":
        cost, newline = _json_bytes, 2
        overhead = len(_dumps(_feishu_body(title + " (99/99)", "", robot.secret, now)))
    else:
        cost, newline, overhead = _utf8, 1, 0
    reserve = cost(_continued(99, 99)) + 2 * newline
    budget = LIMITS[kind] - overhead - reserve
    texts = split_lines(body, budget, cost, newline)
    total = len(texts)
    requests = []
    for number, text in enumerate(texts, start=1):
        heading = title if total == 1 else f"{title} ({number}/{total})"
        if number > 1:
            text = _continued(number, total) + "\n\n" + text
        if kind == "wecom":
            requests.append((robot.url, {"msgtype": "markdown", "markdown": {"content": text}}))
        elif kind == "dingtalk":
            payload = {"msgtype": "markdown", "markdown": {"title": heading, "text": text}}
            requests.append((_dingtalk_signed(robot.url, robot.secret, now), payload))
        else:
            requests.append((robot.url, _feishu_body(heading, text, robot.secret, now)))
    return requests


def _sign(key: bytes, message: bytes) -> str:
    import base64
    import hashlib
    import hmac

    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def _dingtalk_signed(url: str, secret: str | None, now: float) -> str:
    """DingTalk 加签: timestamp (ms) and the HMAC-SHA256 of "timestamp\\nsecret" in the URL."""
    if not secret:
        return url
    from urllib.parse import quote_plus

    stamp = str(int(now * 1000))
    sign = _sign(secret.encode("utf-8"), f"{stamp}\n{secret}".encode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={stamp}&sign={quote_plus(sign)}"


def _feishu_body(title: str, text: str, secret: str | None, now: float) -> dict[str, Any]:
    """A Feishu card: the title in its header, the summary as one Markdown element."""
    body: dict[str, Any] = {}
    if secret:
        # Feishu 签名校验: "timestamp\nsecret" is the HMAC key of an empty message.
        stamp = str(int(now))
        body["timestamp"] = stamp
        body["sign"] = _sign(f"{stamp}\n{secret}".encode(), b"")
    body["msg_type"] = "interactive"
    body["card"] = {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": title}},
        "elements": [{"tag": "markdown", "content": text}],
    }
    return body


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def post(robot: Robot, *, title: str, markdown: str) -> int:
    """Post the summary to ``robot``; returns how many messages it took."""
    import time

    requests = robot_requests(robot, title=title, markdown=markdown, now=time.time())
    for number, (url, body) in enumerate(requests, start=1):
        try:
            _post_one(url, body)
        except RuntimeFailure as exc:
            part = (
                _(" (message {part} of {parts})").format(part=number, parts=len(requests))
                if len(requests) > 1
                else ""
            )
            raise RuntimeFailure(
                _("not posted to {robot}{part}: {reason}").format(
                    robot=robot.label, part=part, reason=exc
                )
            ) from None
    return len(requests)


def _post_one(url: str, body: dict[str, Any]) -> None:
    """One POST; the robots answer HTTP 200 with an error code in JSON when they refuse."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        data=_dumps(body),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        text = _short(exc.read(2048) if exc.fp is not None else b"")
        raise RuntimeFailure(
            _("it answered HTTP {status} {reason}").format(
                status=exc.code, reason=text or exc.reason
            )
        ) from None
    except urllib.error.URLError as exc:
        reason = _os_reason(exc.reason, WEBHOOK_TIMEOUT)
        raise RuntimeFailure(_("cannot reach it: {reason}").format(reason=reason)) from None
    except OSError as exc:  # a timeout while reading the answer
        reason = _os_reason(exc, WEBHOOK_TIMEOUT)
        raise RuntimeFailure(_("cannot reach it: {reason}").format(reason=reason)) from None
    try:
        reply = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RuntimeFailure(
            _("it answered something that is not JSON: {answer}").format(answer=_short(answer))
        ) from None
    if not isinstance(reply, dict):
        raise RuntimeFailure(
            _("it answered something unexpected: {answer}").format(answer=_short(answer))
        )
    for field, message in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "StatusMessage")):
        code = reply.get(field)
        if code not in (None, 0, "0"):
            raise RuntimeFailure(
                _("it answered {field} {code}: {message}").format(
                    field=field, code=code, message=reply.get(message, "")
                )
            )


def _short(raw: bytes, limit: int = 200) -> str:
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[:limit] + "…"
