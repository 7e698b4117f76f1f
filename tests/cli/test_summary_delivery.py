"""``wmcj summary --mail/--webhook``: the real summary sent to local stand-ins for an SMTP
server and each group robot; failures exit 1 and the summary is still there.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from fake_servers import Post, SmtpBehaviour, closed_port, robot_server, smtp_server
from wmcj.db import Database

pytest.importorskip("aiosmtpd")

SUBJECT_ZH = "【文明创建周报】2018-W15 某县科学技术局"


def record(db_path: Path, *activities: tuple[date, str, str]) -> None:
    """Insert activities (day, title, task) straight into the database, in one transaction."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Plan, Task

    database = Database(f"sqlite:///{db_path}")
    with database.write() as session:
        for day, title, key in activities:
            plan = session.exec(select(Plan).where(Plan.year == day.year)).one()
            activity = Activity(plan_id=plan.id, date=day, title=title)
            session.add(activity)
            session.flush()
            task = session.exec(select(Task).where(Task.plan_id == plan.id, Task.key == key)).one()
            session.add(ActivityTask(activity_id=activity.id, task_id=task.id))
    database.close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    from wmcj import delivery

    monkeypatch.setattr(delivery, "MAIL_TIMEOUT", 5.0)
    monkeypatch.setattr(delivery, "WEBHOOK_TIMEOUT", 5.0)


@pytest.fixture
def worked(loaded: Path, db_path: Path) -> Path:
    record(
        db_path,
        (date(2018, 4, 10), "召开一季度创建工作会议", "work-meetings"),
        (date(2018, 4, 15), "全民国家安全教育日宣传", "publicity-atmosphere"),
    )
    return db_path


@pytest.fixture
def mail_settings(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point the mail settings at a local SMTP server on ``port``, by the environment."""

    def point(port: int) -> None:
        monkeypatch.setenv("WMCJ_MAIL_HOST", "127.0.0.1")
        monkeypatch.setenv("WMCJ_MAIL_PORT", str(port))
        monkeypatch.setenv("WMCJ_MAIL_SECURITY", "none")
        monkeypatch.setenv("WMCJ_MAIL_FROM", "office@example.com")

    return point


def test_the_summary_is_mailed_in_chinese(run: Any, worked: Path, mail_settings: Any) -> None:
    with smtp_server() as (port, received):
        mail_settings(port)
        result = run(
            "--lang",
            "zh",
            "summary",
            "--week",
            "2018-W15",
            "--mail",
            "leader@example.com，office@example.com",
        )
    assert result.exit_code == 0, result.stderr
    printed = run("--lang", "zh", "summary", "--week", "2018-W15").stdout
    assert result.stdout == printed  # the summary is printed as usual
    assert result.stderr == (
        f"已将周报发送给 leader@example.com, office@example.com（经 127.0.0.1:{port}）\n"
    )
    [mail] = received
    assert mail.rcpt_tos == ["leader@example.com", "office@example.com"]
    assert mail.data.isascii()  # encoded words and base64: safe through any relay
    message = mail.message
    assert message["Subject"] == SUBJECT_ZH
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8" == html.get_content_charset()
    assert plain.get_content() == printed
    html_text = html.get_content()
    assert "<h1>创建工作周报 2018-W15：2018-04-09 至 2018-04-15</h1>" in html_text
    assert "<li>04-10 周二  召开一季度创建工作会议  [work-meetings]</li>" in html_text
    assert f"<title>{SUBJECT_ZH}</title>" in html_text


def test_the_english_subject(run: Any, worked: Path, mail_settings: Any) -> None:
    with smtp_server() as (port, received):
        mail_settings(port)
        result = run("summary", "--week", "2018-W15", "--mail", "a@example.com")
    assert result.exit_code == 0, result.stderr
    assert received[0].message["Subject"] == "[Weekly summary] 2018-W15 某县科学技术局"


ROBOT_CASES = ["wecom", "dingtalk", "feishu"]


def markdown_of(kind: str, body: dict[str, Any]) -> str:
    if kind == "wecom":
        return body["markdown"]["content"]
    if kind == "dingtalk":
        return body["markdown"]["text"]
    return body["card"]["elements"][0]["content"]


@pytest.mark.parametrize("kind", ROBOT_CASES)
def test_each_robot_gets_its_json(run: Any, worked: Path, kind: str) -> None:
    markdown = run("--lang", "zh", "summary", "--week", "2018-W15", "--format", "markdown").stdout
    with robot_server() as (base, posts):
        result = run(
            "--lang",
            "zh",
            "summary",
            "--week",
            "2018-W15",
            "--webhook",
            f"{base}/hook?key=k",
            "--webhook-kind",
            kind,
        )
    assert result.exit_code == 0, result.stderr
    [post] = posts
    body = post.json
    assert post.query == {"key": ["k"]}
    if kind == "wecom":
        assert body == {"msgtype": "markdown", "markdown": {"content": markdown.rstrip("\n")}}
    elif kind == "dingtalk":
        assert body == {
            "msgtype": "markdown",
            "markdown": {"title": SUBJECT_ZH, "text": markdown.rstrip("\n")},
        }
    else:
        assert body["msg_type"] == "interactive"
        assert body["card"]["header"]["title"] == {"tag": "plain_text", "content": SUBJECT_ZH}
        content = markdown_of(kind, body)
        assert content.startswith("**创建工作周报 2018-W15：2018-04-09 至 2018-04-15**\n")
        assert "- 04-10 周二  召开一季度创建工作会议  \\[work-meetings\\]" in content or (
            "- 04-10 周二  召开一季度创建工作会议  [work-meetings]" in content
        )
    port = base.rsplit(":", 1)[1]
    name = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}[kind]
    assert result.stderr == f"已将周报发到127.0.0.1:{port} 上的{name}机器人\n"


def test_a_named_robot_from_the_settings(run: Any, worked: Path) -> None:
    with robot_server() as (base, posts):
        assert run("config", "set", "webhook.office.url", f"{base}/send?key=k").exit_code == 0
        assert run("config", "set", "webhook.office.kind", "wecom").exit_code == 0
        result = run("summary", "--week", "2018-W15", "--webhook", "office")
    assert result.exit_code == 0, result.stderr
    assert posts[0].json["markdown"]["content"].startswith("# Weekly summary 2018-W15")
    port = base.rsplit(":", 1)[1]
    assert result.stderr == (f"posted the summary to the WeCom robot 'office' (127.0.0.1:{port})\n")


@pytest.mark.parametrize("kind", ROBOT_CASES)
def test_a_long_summary_is_split_in_posts_under_the_limit(
    run: Any, loaded: Path, db_path: Path, kind: str
) -> None:
    from wmcj.delivery import LIMITS

    monday = date(2018, 4, 9)
    titles = [f"第{n}次文明交通志愿服务活动暨“我们的节日”主题宣传" for n in range(1, 241)]
    record(
        db_path,
        *(
            (monday + timedelta(days=n % 7), title, "work-meetings")
            for n, title in enumerate(titles)
        ),
    )
    with robot_server() as (base, posts):
        result = run(
            "summary", "--week", "2018-W15", "--webhook", f"{base}/h", "--webhook-kind", kind
        )
    assert result.exit_code == 0, result.stderr
    assert len(posts) > 1
    for post in posts:
        size = (
            len(post.raw) if kind == "feishu" else len(markdown_of(kind, post.json).encode("utf-8"))
        )
        assert size <= LIMITS[kind]
    received = "\n".join(markdown_of(kind, post.json) for post in posts)
    assert all(title in received for title in titles)
    assert result.stderr.endswith(f" in {len(posts)} messages\n")


# -- failures: exit 1, named server and answer, the summary kept -----------------------


def test_a_refusing_smtp_server(run: Any, worked: Path, mail_settings: Any) -> None:
    behaviour = SmtpBehaviour(refuse={"leader@example.com"})
    with smtp_server(behaviour) as (port, received):
        mail_settings(port)
        result = run("summary", "--week", "2018-W15", "--mail", "leader@example.com")
    assert result.exit_code == 1
    assert received == []
    assert result.stdout.startswith("Weekly summary 2018-W15: 2018-04-09 – 2018-04-15\n")
    assert result.stderr == (
        f"error: mail not sent: the SMTP server 127.0.0.1:{port} answered: leader@example.com"
        " refused (550 5.1.1 <leader@example.com>: no such user here)\n"
        "error: the summary was printed above\n"
    )


def test_no_smtp_server_and_the_summary_is_in_the_out_file(
    run: Any, worked: Path, mail_settings: Any, tmp_path: Path
) -> None:
    port = closed_port()
    mail_settings(port)
    out = tmp_path / "summary.txt"
    result = run("summary", "--week", "2018-W15", "--mail", "a@example.com", "--out", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("Weekly summary 2018-W15")
    assert result.stderr == (
        f"error: mail not sent: cannot reach the SMTP server 127.0.0.1:{port}: Connection refused\n"
        f"error: the summary was written to {out}\n"
    )


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b"Internal Server Error", "it answered HTTP 500 Internal Server Error"),
        (
            200,
            b'{"errcode":310000,"errmsg":"keywords not in content"}',
            "it answered errcode 310000: keywords not in content",
        ),
    ],
)
def test_a_refusing_robot(run: Any, worked: Path, status: int, body: bytes, reason: str) -> None:
    def answer(post: Post) -> tuple[int, bytes]:
        return status, body

    with robot_server(answer) as (base, posts):
        result = run(
            "summary", "--week", "2018-W15", "--webhook", f"{base}/r", "--webhook-kind", "dingtalk"
        )
    port = base.rsplit(":", 1)[1]
    assert result.exit_code == 1
    assert len(posts) == 1
    assert result.stdout.startswith("Weekly summary 2018-W15")
    assert result.stderr == (
        f"error: not posted to the DingTalk robot at 127.0.0.1:{port}: {reason}\n"
        "error: the summary was printed above\n"
    )


def test_every_destination_is_tried_before_failing(
    run: Any, worked: Path, mail_settings: Any
) -> None:
    dead = closed_port()
    with smtp_server() as (port, received), robot_server() as (base, posts):
        mail_settings(port)
        result = run(
            "summary",
            "--week",
            "2018-W15",
            "--webhook",
            f"http://127.0.0.1:{dead}/x",
            "--webhook-kind",
            "feishu",
            "--webhook",
            f"{base}/y",
            "--mail",
            "a@example.com",
        )
    assert result.exit_code == 1
    assert len(received) == 1 and len(posts) == 1
    assert result.stderr.splitlines() == [
        f"mailed the summary to a@example.com through 127.0.0.1:{port}",
        f"posted the summary to the Feishu robot at 127.0.0.1:{base.rsplit(':', 1)[1]}",
        f"error: not posted to the Feishu robot at 127.0.0.1:{dead}: cannot reach it:"
        " Connection refused",
        "error: the summary was printed above",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mail", "a@example.com"], "error: no SMTP server to send the mail through;"),
        (["--mail", "leader"], "error: --mail: 'leader' is not an e-mail address"),
        (["--webhook", "ofice"], "error: --webhook 'ofice' is neither a URL nor a robot"),
        (
            ["--webhook", "ftp://example.com/x"],
            "error: --webhook 'ftp://example.com/x' cannot be used: not a web address",
        ),
        (["--webhook", "https://example.com/x"], "error: cannot tell which robot"),
        (
            ["--webhook", "https://example.com/x", "--webhook-kind", "slack"],
            "error: --webhook-kind must be wecom, dingtalk or feishu, not 'slack'",
        ),
    ],
)
def test_bad_delivery_settings_exit_2_before_anything(
    run: Any, worked: Path, args: list[str], message: str
) -> None:
    result = run("summary", "--week", "2018-W15", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)


def test_json_on_stdout_while_the_robot_gets_markdown(run: Any, worked: Path) -> None:
    with robot_server() as (base, posts):
        result = run(
            "summary", "--week", "2018-W15", "--format", "json", "--webhook", f"{base}/h",
            "--webhook-kind", "wecom",
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["week"] == "2018-W15"
    assert posts[0].json["markdown"]["content"].startswith("# Weekly summary 2018-W15")
