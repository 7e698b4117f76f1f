"""Several real processes on one database: no lost write, no "database is locked" failure.

Writers queue on SQLite's write lock (BEGIN IMMEDIATE, a busy timeout of 30 s);
readers never wait for writers (WAL). Everything here runs the installed ``wmcj``
or the service layer in separate Python processes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from support import build_0001
from wmcj.models import SCHEMA_REVISION

WMCJ = str(Path(sys.executable).with_name("wmcj"))

#: A writer like a long import: one transaction per activity, through the service layer.
SERVICE_WRITER = """
import sys
from datetime import date
from pathlib import Path
from wmcj.activities import ActivityFields, add_activity
from wmcj.attachments import changing
from wmcj.db import Database

url, prefix, count, photo = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
db = Database(url)
for number in range(count):
    fields = ActivityFields(
        title=f"{prefix}-{number}",
        date=date(2018, 1 + number % 6, 1 + number % 28),
        tasks=["wechat-news", "work-meetings"] if number % 2 else ["regulations"],
        tags=[prefix, "宣传"],
        note="记录" * number,
        attach=[photo] if number % 10 == 0 else [],
    )
    with changing(db.files) as files, db.write() as session:
        add_activity(session=session, files=files, fields=fields)
db.close()
"""


def environment(db: Path) -> dict[str, str]:
    return {**os.environ, "WMCJ_DB": str(db), "WMCJ_TODAY": "2018-06-30", "COLUMNS": "200"}


def wmcj(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WMCJ, *args], env=environment(db), capture_output=True, text=True, timeout=120
    )


def test_writers_and_a_reader_at_once_lose_nothing(
    loaded: Path, db_path: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8 the same photo, attached by everyone")
    service, per_service = ["甲", "乙"], 150
    typists, per_typist = ["丙", "丁"], 8
    failures: list[str] = []
    seen: list[int] = []
    done = threading.Event()

    def typist(name: str) -> None:
        for number in range(per_typist):
            result = wmcj(
                db_path, "activity", "add", f"{name}-{number}", "--date", "2018-03-05",
                "--task", "work-plan", "--tag", name, "--attach", str(photo),
            )  # fmt: skip
            if result.returncode != 0:
                failures.append(f"{name}-{number}: {result.stderr}")

    def reader() -> None:
        while not done.is_set():
            listed = wmcj(db_path, "activity", "list", "--format", "json")
            report = wmcj(db_path, "report", "--format", "json")
            for result in (listed, report):
                if result.returncode != 0:
                    failures.append(f"reader: {result.stderr}")
            if listed.returncode == 0:
                seen.append(len(json.loads(listed.stdout)))
            time.sleep(0.2)  # a person, or cron: not a busy loop

    started = time.monotonic()
    url = f"sqlite:///{db_path}"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", SERVICE_WRITER, url, name, str(per_service), str(photo)],
            env=environment(db_path),
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in service
    ]
    threads = [threading.Thread(target=typist, args=(name,)) for name in typists]
    watcher = threading.Thread(target=reader)
    for thread in [*threads, watcher]:
        thread.start()
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        if writer.returncode != 0:
            failures.append(f"service writer: {err}")
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    watcher.join(timeout=120)

    assert failures == []
    expected = {f"{n}-{i}" for n in service for i in range(per_service)}
    expected |= {f"{n}-{i}" for n in typists for i in range(per_typist)}
    final = json.loads(wmcj(db_path, "activity", "list", "--format", "json").stdout)
    assert len(final) == len(expected) == 316
    assert {a["title"] for a in final} == expected
    assert all(a["tags"] in (["甲", "宣传"], ["乙", "宣传"], ["丙"], ["丁"]) for a in final)
    # The reader ran throughout and only ever saw the record grow.
    assert len(seen) >= 2 and seen == sorted(seen)
    assert time.monotonic() - started < 90


def test_a_new_database_opened_by_several_at_once_is_created_once(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    processes = [
        subprocess.Popen(
            [WMCJ, "plan", "list", "--format", "json"],
            env=environment(db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=60), *p.communicate()) for p in processes]
    assert results == [(0, "[]\n", "")] * 4
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
        (SCHEMA_REVISION,)
    ]
    conn.close()


def test_an_old_database_opened_by_several_at_once_is_upgraded_once(tmp_path: Path) -> None:
    db = build_0001(tmp_path / "old.db")
    processes = [
        subprocess.Popen(
            [WMCJ, "activity", "list", "--format", "json"],
            env=environment(db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results: list[Any] = [(p.wait(timeout=60), *p.communicate()) for p in processes]
    assert [code for code, _out, _err in results] == [0, 0, 0]
    assert all(len(json.loads(out)) == 3 for _code, out, _err in results)
    upgrades = [err for _code, _out, err in results if "upgraded the database" in err]
    assert len(upgrades) == 1
    assert len(list(tmp_path.glob("old.db.bak-0001-*"))) == 1
