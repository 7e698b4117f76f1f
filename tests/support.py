"""Helpers shared by tests: rows made by hand that stay consistent, and an old database."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Activity


def back_evidence(session: Session, activity: Activity) -> None:
    """Give an activity made by hand the attachments and note its evidence figures claim.

    Reports read ``photos``, ``files`` and ``note_chars``; ``wmcj db check`` (run after
    every test) insists they match real attachments and a real note, as ``activity add``
    keeps them. Call it after the activity has its id (after a flush).
    """
    from wmcj.attachments import Store
    from wmcj.db import files_dir
    from wmcj.models import Attachment

    assert activity.id is not None
    store = Store(files_dir(session.get_bind().url.render_as_string()))
    for position in range(activity.photos + activity.files):
        photo = position < activity.photos
        data = f"activity {activity.id}, file {position}".encode()
        sha256 = hashlib.sha256(data).hexdigest()
        name = f"{position + 1}.jpg" if photo else f"{position + 1}.pdf"
        path = store.path(sha256, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        session.add(
            Attachment(
                activity_id=activity.id,
                position=position,
                sha256=sha256,
                name=name,
                media_type="image/jpeg" if photo else "application/pdf",
                size=len(data),
                photo=photo,
            )
        )
    if activity.note_chars and not activity.note:
        activity.note = "记" * activity.note_chars


#: tests/fixtures/db-0001.sql: written by the first schema's own program (see its header).
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The attachment files the fixture's rows refer to.
FIXTURE_FILES = {
    "ff966b0d6336d379c25a37d1415eb37ca5f61ce92f96796da1aadc4a73eeb86f.jpg": b"photo-one",
    "e23bea5d5558516e8d9f9e7189f790ce4f773692e09a1e7a2d6cb1a2c84f0f98.pdf": b"sign-in sheet",
    "56465c77b321069f39577693ce1d8d2fa8a95021f884ff90b4b35c603588aeb8.png": b"second photo",
}


def build_0001(path: Path) -> Path:
    """The fixture database at ``path``, with its attachment store beside it."""
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "db-0001.sql").read_text(encoding="utf-8"))
    conn.execute("PRAGMA user_version = 1")  # as that program stamped it
    conn.close()
    store = path.with_name(path.stem + "-files")
    for name, data in FIXTURE_FILES.items():
        assert hashlib.sha256(data).hexdigest() == name.split(".")[0]
        (store / name[:2]).mkdir(parents=True, exist_ok=True)
        (store / name[:2] / name).write_bytes(data)
    return path
