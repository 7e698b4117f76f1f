"""Local stand-ins for the servers the summary is delivered to: an SMTP server (aiosmtpd)
and group robots (http.server), on 127.0.0.1 only, recording what they received.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    return free_port()


# -- SMTP ---------------------------------------------------------------------------


@dataclass
class Received:
    """One message as the SMTP server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpBehaviour:
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    data_answer: str = "250 OK"  # the answer to DATA (a 5xx refuses the message)
    login: tuple[str, str] | None = None  # the only accepted user and password


class _Handler:
    def __init__(self, behaviour: SmtpBehaviour, received: list[Received]) -> None:
        self.behaviour = behaviour
        self.received = received

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.behaviour.refuse:
            return "550 5.1.1 <" + address + ">: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.behaviour.data_answer.startswith("250"):
            login = session.auth_data.decode() if session.auth_data else None
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login)
            )
        return self.behaviour.data_answer


@contextmanager
def smtp_server(
    behaviour: SmtpBehaviour | None = None,
    *,
    starttls: Any = None,
    implicit_tls: Any = None,
) -> Iterator[tuple[int, list[Received]]]:
    """An aiosmtpd server on 127.0.0.1: yields its port and the messages it receives.
    ``starttls``/``implicit_tls``: an ``ssl.SSLContext`` for STARTTLS or SMTPS.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    behaviour = behaviour or SmtpBehaviour()
    received: list[Received] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        if behaviour.login is None:
            return AuthResult(success=False, handled=False)
        user, password = behaviour.login
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False, auth_data=user.encode() if ok else None)

    port = free_port()
    kwargs: dict[str, Any] = {
        "hostname": LOOPBACK,
        "port": port,
        "authenticator": authenticate,
        "auth_require_tls": False,
        "ready_timeout": 5.0,
    }
    if starttls is not None:
        kwargs.update(tls_context=starttls, require_starttls=True)
    if implicit_tls is not None:
        kwargs.update(ssl_context=implicit_tls, server_hostname=LOOPBACK)
    controller = Controller(_Handler(behaviour, received), **kwargs)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path] | None:
    """A certificate for 127.0.0.1 and its key, made with the openssl tool (None without it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


# -- group robots ---------------------------------------------------------------------


@dataclass
class Post:
    """One request a robot received."""

    path: str
    query: dict[str, list[str]]
    content_type: str
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw.decode("utf-8"))


Answer = tuple[int, bytes]


@contextmanager
def robot_server(
    answer: Callable[[Post], Answer] | None = None,
) -> Iterator[tuple[str, list[Post]]]:
    """An HTTP server on 127.0.0.1 standing in for a robot: yields its base URL and the
    posts it received; ``answer`` decides each reply (default: 200 with errcode 0).
    """
    posts: list[Post] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            parts = urlsplit(self.path)
            post = Post(
                parts.path, parse_qs(parts.query), self.headers.get("Content-Type", ""),
                self.rfile.read(length),
            )  # fmt: skip
            posts.append(post)
            status, body = (answer or _ok)(post)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}", posts
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _ok(post: Post) -> Answer:
    return 200, b'{"errcode":0,"errmsg":"ok"}'
