"""Delivery: settings resolved before sending, mail through a real (local) SMTP server,
robots' JSON shapes, size limits, signing, and failures that name the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_servers import (
    Post,
    SmtpBehaviour,
    closed_port,
    robot_server,
    self_signed_certificate,
    smtp_server,
)
from wmcj import config, delivery
from wmcj.delivery import MailServer, Robot
from wmcj.errors import InputError, RuntimeFailure

pytest.importorskip("aiosmtpd")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback servers are reached directly, whatever proxy the machine has."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(delivery, "MAIL_TIMEOUT", 5.0)
    monkeypatch.setattr(delivery, "WEBHOOK_TIMEOUT", 5.0)


def plain_server(port: int, **changes: Any) -> MailServer:
    fields: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "user": None,
        "password": None,
        "sender": "office@example.com",
    }
    return MailServer(**{**fields, **changes})


TEXT = "创建工作周报 2018-W15\n- 04-10 周二  召开一季度创建工作会议\n"
HTML = "<h1>创建工作周报 2018-W15</h1>"
SUBJECT = "【文明创建周报】2018-W15 某县科学技术局"


# -- recipients and settings -------------------------------------------------------------


def test_recipients_are_split_on_commas_of_either_width() -> None:
    assert delivery.parse_recipients("a@x.cn, b@y.cn，c@z.cn;a@x.cn") == [
        "a@x.cn",
        "b@y.cn",
        "c@z.cn",
    ]
    assert delivery.parse_recipients("张主任 <zhang@x.cn>") == ["zhang@x.cn"]


@pytest.mark.parametrize("text", ["", " , ", "zhang", "zhang@", "@x.cn", "a@x"])
def test_bad_recipients_are_bad_input(text: str) -> None:
    with pytest.raises(InputError, match="--mail"):
        delivery.parse_recipients(text)


def test_mail_server_needs_a_host_and_a_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="no SMTP server"):
        delivery.mail_server()
    config.set_value("mail.host", "smtp.example.com")
    with pytest.raises(InputError, match="no sender address"):
        delivery.mail_server()
    monkeypatch.setenv("WMCJ_MAIL_USER", "office@example.com")
    monkeypatch.setenv("OFFICE_SMTP", "s3cret")
    config.set_value("mail.password_env", "OFFICE_SMTP")
    assert delivery.mail_server() == MailServer(
        "smtp.example.com", 587, "starttls", "office@example.com", "s3cret", "office@example.com"
    )


def test_the_password_comes_from_the_named_variable_or_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config.set_value("mail.host", "smtp.example.com")
    config.set_value("mail.user", "wmcj")
    config.set_value("mail.from", "科技局办公室 <office@example.com>")
    with pytest.raises(InputError, match="no password"):
        delivery.mail_server()
    config.set_value("mail.password", "from-file")
    assert delivery.mail_server().password == "from-file"
    config.set_value("mail.password_env", "OFFICE_SMTP")
    with pytest.raises(InputError, match="OFFICE_SMTP, but that environment variable is not set"):
        delivery.mail_server()
    monkeypatch.setenv("OFFICE_SMTP", "from-env")
    assert delivery.mail_server().password == "from-env"


# -- mail through a local SMTP server --------------------------------------------------


def test_a_mail_arrives_with_utf8_subject_and_both_bodies() -> None:
    with smtp_server() as (port, received):
        delivery.send_mail(
            plain_server(port, sender="科技局办公室 <office@example.com>"),
            ["a@example.com", "b@example.com"],
            subject=SUBJECT,
            text=TEXT,
            html=HTML,
        )
    [mail] = received
    assert mail.mail_from == "office@example.com"
    assert mail.rcpt_tos == ["a@example.com", "b@example.com"]
    raw_subject = next(
        line for line in mail.data.decode("ascii").splitlines() if line.startswith("Subject:")
    )
    assert "=?utf-8?" in raw_subject.lower()  # an RFC 2047 encoded word, all ASCII on the wire
    message = mail.message
    assert message["Subject"] == SUBJECT
    assert message["To"] == "a@example.com, b@example.com"
    assert message["From"].addresses[0].display_name == "科技局办公室"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    for part in (plain, html):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "base64"
    assert plain.get_content() == TEXT
    assert html.get_content().strip() == HTML
    assert message["Message-ID"].endswith("@example.com>")


def test_login_uses_the_account() -> None:
    behaviour = SmtpBehaviour(login=("wmcj", "s3cret"))
    with smtp_server(behaviour) as (port, received):
        delivery.send_mail(
            plain_server(port, user="wmcj", password="s3cret"),
            ["a@example.com"],
            subject=SUBJECT,
            text=TEXT,
            html=HTML,
        )
        with pytest.raises(RuntimeFailure) as caught:
            delivery.send_mail(
                plain_server(port, user="wmcj", password="wrong"),
                ["a@example.com"],
                subject=SUBJECT,
                text=TEXT,
                html=HTML,
            )
    assert [m.login for m in received] == ["wmcj"]
    assert str(caught.value).startswith(
        f"mail not sent: the SMTP server 127.0.0.1:{port} answered: 535"
    )


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ssl.SSLContext]:
    """A server TLS context whose certificate the client trusts through SSL_CERT_FILE."""
    made = self_signed_certificate(tmp_path)
    if made is None:
        pytest.skip("the openssl tool is needed to make a test certificate")
    cert, key = made
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    yield context


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_a_checked_certificate(security: str, certificate: ssl.SSLContext) -> None:
    tls = {"starttls": certificate} if security == "starttls" else {"implicit_tls": certificate}
    with smtp_server(SmtpBehaviour(login=("wmcj", "pw")), **tls) as (port, received):
        delivery.send_mail(
            plain_server(port, security=security, user="wmcj", password="pw"),
            ["a@example.com"],
            subject=SUBJECT,
            text=TEXT,
            html=HTML,
        )
    assert [m.rcpt_tos for m in received] == [["a@example.com"]]


def test_an_untrusted_certificate_is_refused(
    certificate: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with (
        smtp_server(starttls=certificate) as (port, received),
        pytest.raises(RuntimeFailure) as caught,
    ):
        delivery.send_mail(
            plain_server(port, security="starttls"),
            ["a@example.com"],
            subject=SUBJECT,
            text=TEXT,
            html=HTML,
        )
    assert received == []
    assert str(caught.value).startswith(
        f"mail not sent: TLS with the SMTP server 127.0.0.1:{port} failed:"
    )


def test_starttls_not_offered() -> None:
    with smtp_server() as (port, received), pytest.raises(RuntimeFailure) as caught:
        delivery.send_mail(
            plain_server(port, security="starttls"), ["a@x.cn"], subject="s", text="t", html="h"
        )
    assert received == []
    assert str(caught.value) == (
        f"mail not sent: the SMTP server 127.0.0.1:{port} does not offer STARTTLS; set"
        " mail.security to ssl (port 465) or none"
    )


@pytest.mark.parametrize(
    ("behaviour", "recipients", "answer"),
    [
        (
            SmtpBehaviour(refuse={"nobody@example.com"}),
            ["nobody@example.com"],
            "nobody@example.com refused (550 5.1.1 <nobody@example.com>: no such user here)",
        ),
        (
            SmtpBehaviour(refuse={"nobody@example.com"}),
            ["a@example.com", "nobody@example.com"],
            "nobody@example.com refused (550 5.1.1 <nobody@example.com>: no such user here)",
        ),
        (
            SmtpBehaviour(data_answer="554 5.7.1 Message rejected as spam"),
            ["a@example.com"],
            "554 5.7.1 Message rejected as spam",
        ),
    ],
)
def test_a_refusal_names_the_server_and_its_answer(
    behaviour: SmtpBehaviour, recipients: list[str], answer: str
) -> None:
    with smtp_server(behaviour) as (port, _received), pytest.raises(RuntimeFailure) as caught:
        delivery.send_mail(plain_server(port), recipients, subject="s", text="t", html="h")
    assert str(caught.value) == (
        f"mail not sent: the SMTP server 127.0.0.1:{port} answered: {answer}"
    )


def test_no_server_listening() -> None:
    port = closed_port()
    with pytest.raises(RuntimeFailure) as caught:
        delivery.send_mail(plain_server(port), ["a@x.cn"], subject="s", text="t", html="h")
    assert str(caught.value) == (
        f"mail not sent: cannot reach the SMTP server 127.0.0.1:{port}: Connection refused"
    )


# -- robots: which, and in what shape --------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "wecom"),
        ("https://oapi.dingtalk.com/robot/send?access_token=t", "dingtalk"),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/h", "feishu"),
        ("https://open.larksuite.com/open-apis/bot/v2/hook/h", "feishu"),
    ],
)
def test_the_kind_is_inferred_from_the_official_host(url: str, kind: str) -> None:
    assert delivery.robot(url) == Robot(url=url, kind=kind)
    assert delivery.robot(url, "WeCom").kind == "wecom"  # the option wins


def test_an_unknown_host_needs_a_kind() -> None:
    with pytest.raises(InputError) as caught:
        delivery.robot("https://robots.example.com/send?key=abcdefgh")
    assert str(caught.value) == (
        "cannot tell which robot https://robots.example.com/send?key=abcd**** is; add"
        " --webhook-kind wecom, dingtalk or feishu"
    )
    with pytest.raises(InputError, match="--webhook-kind must be wecom, dingtalk or feishu"):
        delivery.robot("https://robots.example.com/", "slack")


def test_named_robots_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="the robot 'default' has no address"):
        delivery.robot("default")
    monkeypatch.setenv("WMCJ_WEBHOOK_URL", "https://oapi.dingtalk.com/robot/send?access_token=t")
    assert delivery.robot("default") == Robot(
        "https://oapi.dingtalk.com/robot/send?access_token=t", "dingtalk", None, "default"
    )
    config.set_value("webhook.leaders.url", "http://127.0.0.1:9/hook")
    config.set_value("webhook.leaders.kind", "feishu")
    config.set_value("webhook.leaders.secret_env", "LEADERS_SECRET")
    with pytest.raises(InputError, match="LEADERS_SECRET, but that environment variable is not"):
        delivery.robot("leaders")
    monkeypatch.setenv("LEADERS_SECRET", "sec")
    assert delivery.robot("Leaders") == Robot("http://127.0.0.1:9/hook", "feishu", "sec", "leaders")
    with pytest.raises(InputError) as caught:
        delivery.robot("leader")
    assert str(caught.value) == (
        "--webhook 'leader' is neither a URL nor a robot in the settings — did you mean"
        " 'leaders'?; add one with `wmcj config set webhook.leader.url https://…`"
    )


MARKDOWN = "# 创建工作周报 2018-W15\n\n## 本周活动（2）\n\n- 04-10 周二  召开会议\n"


def test_wecom_shape() -> None:
    [(url, body)] = delivery.robot_requests(
        Robot("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "wecom"),
        title=SUBJECT,
        markdown=MARKDOWN,
        now=0,
    )
    assert url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    assert body == {"msgtype": "markdown", "markdown": {"content": MARKDOWN.rstrip("\n")}}


def test_dingtalk_shape_and_signature() -> None:
    robot = Robot("https://oapi.dingtalk.com/robot/send?access_token=t", "dingtalk", "SEC")
    [(url, body)] = delivery.robot_requests(robot, title=SUBJECT, markdown=MARKDOWN, now=1523.5)
    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": SUBJECT, "text": MARKDOWN.rstrip("\n")},
    }
    expected = base64.b64encode(hmac.new(b"SEC", b"1523500\nSEC", hashlib.sha256).digest()).decode()
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["t"], "timestamp": ["1523500"], "sign": [expected]}


def test_feishu_shape_and_signature() -> None:
    robot = Robot("https://open.feishu.cn/open-apis/bot/v2/hook/h", "feishu", "SEC")
    [(url, body)] = delivery.robot_requests(robot, title=SUBJECT, markdown=MARKDOWN, now=1523.5)
    assert url == robot.url
    expected = base64.b64encode(hmac.new(b"1523\nSEC", b"", hashlib.sha256).digest()).decode()
    assert body == {
        "timestamp": "1523",
        "sign": expected,
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": SUBJECT}},
            "elements": [
                {
                    "tag": "markdown",
                    "content": "**创建工作周报 2018-W15**\n\n**本周活动（2）**\n\n"
                    "- 04-10 周二  召开会议",
                }
            ],
        },
    }


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_a_long_summary_is_split_within_the_limit(kind: str) -> None:
    lines = [f"- 04-{day % 28 + 1:02d} 第{day}次志愿服务活动「文明交通」" for day in range(1500)]
    markdown = "# 周报\n\n" + "\n".join(lines) + "\n"
    requests = delivery.robot_requests(
        Robot("http://127.0.0.1/hook", kind), title=SUBJECT, markdown=markdown, now=0
    )
    assert len(requests) > 1
    sizes = []
    texts = []
    for number, (_url, body) in enumerate(requests, start=1):
        if kind == "wecom":
            text = body["markdown"]["content"]
            sizes.append(len(text.encode()))
        elif kind == "dingtalk":
            text = body["markdown"]["text"]
            sizes.append(len(text.encode()))
            assert body["markdown"]["title"] == f"{SUBJECT} ({number}/{len(requests)})"
        else:
            text = body["card"]["elements"][0]["content"]
            sizes.append(len(json.dumps(body, ensure_ascii=False).encode()))
        if number > 1:
            head = f"(continued, part {number} of {len(requests)})\n\n"
            assert text.startswith(head)
            text = text.removeprefix(head)
        texts.append(text)
    assert max(sizes) <= delivery.LIMITS[kind]
    assert max(sizes) > delivery.LIMITS[kind] * 0.8  # parts are filled, not trickled
    body_lines = "\n".join(texts).split("\n")
    assert body_lines[2:] == lines  # every line, once, in order


@given(
    st.lists(st.text(alphabet="ab文\n", max_size=30), max_size=30),
    st.integers(min_value=4, max_value=60),
)
def test_split_parts_fit_and_keep_the_text(chunks: list[str], budget: int) -> None:
    text = "".join(chunks)
    parts = delivery.split_lines(text, budget, delivery._utf8)
    assert all(delivery._utf8(p) <= budget for p in parts)
    if all(delivery._utf8(line) <= budget for line in text.rstrip("\n").split("\n")):
        assert "\n".join(parts) == text.rstrip("\n")
    else:
        assert "".join(parts).replace("\n", "") == text.replace("\n", "")


# -- robots: posting -------------------------------------------------------------------


def test_posting_sends_json_and_counts_messages() -> None:
    with robot_server() as (base, posts):
        count = delivery.post(Robot(f"{base}/send?key=k", "wecom"), title=SUBJECT, markdown="# 好")
    assert count == 1
    [post] = posts
    assert (post.path, post.query) == ("/send", {"key": ["k"]})
    assert post.content_type == "application/json; charset=utf-8"
    assert post.json == {"msgtype": "markdown", "markdown": {"content": "# 好"}}


def answer_with(status: int, body: bytes) -> Any:
    def answer(post: Post) -> tuple[int, bytes]:
        return status, body

    return answer


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (
            200,
            b'{"errcode":93000,"errmsg":"invalid webhook url"}',
            "it answered errcode 93000: invalid webhook url",
        ),
        (200, b'{"code":19021,"msg":"sign match fail"}', "it answered code 19021: sign match fail"),
        (500, b"upstream failed", "it answered HTTP 500 upstream failed"),
        (
            200,
            b"<html>portal</html>",
            "it answered something that is not JSON: <html>portal</html>",
        ),
    ],
)
def test_a_refusing_robot_is_named_with_its_answer(status: int, body: bytes, reason: str) -> None:
    with robot_server(answer_with(status, body)) as (base, _posts):
        port = base.rsplit(":", 1)[1]
        with pytest.raises(RuntimeFailure) as caught:
            delivery.post(Robot(f"{base}/send", "wecom"), title="t", markdown="m")
    assert str(caught.value) == f"not posted to the WeCom robot at 127.0.0.1:{port}: {reason}"


def test_a_failing_part_is_named_and_stops_the_rest() -> None:
    def answer(post: Post) -> tuple[int, bytes]:
        failing = "part 2 of" in post.json["markdown"]["content"]
        return 200, b'{"errcode":45009,"errmsg":"api freq out of limit"}' if failing else b"{}"

    markdown = "\n".join(f"- 第{n}项" for n in range(2000))
    with robot_server(answer) as (base, posts), pytest.raises(RuntimeFailure) as caught:
        delivery.post(Robot(f"{base}/send", "wecom", name="office"), title="t", markdown=markdown)
    total = len(delivery.robot_requests(Robot("x", "wecom"), title="t", markdown=markdown, now=0))
    assert len(posts) == 2
    port = base.rsplit(":", 1)[1]
    assert str(caught.value) == (
        f"not posted to the WeCom robot 'office' (127.0.0.1:{port}) (message 2 of {total}):"
        " it answered errcode 45009: api freq out of limit"
    )


def test_an_unreachable_robot() -> None:
    port = closed_port()
    with pytest.raises(RuntimeFailure) as caught:
        delivery.post(Robot(f"http://127.0.0.1:{port}/hook", "feishu"), title="t", markdown="m")
    assert str(caught.value) == (
        f"not posted to the Feishu robot at 127.0.0.1:{port}: cannot reach it: Connection refused"
    )
