"""Where the database is and how it is opened: WAL, busy timeout, foreign keys, transactions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

#: Seconds a writer waits for another writer before giving up (the spec asks for ≥ 10).
BUSY_TIMEOUT = 30


def default_db_path() -> Path:
    """``wmcj.db`` in the user's data directory."""
    from platformdirs import user_data_path

    return user_data_path("wmcj", appauthor=False) / "wmcj.db"


def resolve_url(db: str | None) -> str:
    """``--db`` (a path or an SQLAlchemy URL), else ``WMCJ_DB``, else the default file."""
    value = db or os.environ.get("WMCJ_DB") or ""
    if "://" in value:
        return value
    path = Path(value).expanduser() if value else default_db_path()
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    """The file behind an ``sqlite:///`` URL, or None for other databases and memory."""
    if not url.startswith("sqlite:///"):
        return None
    rest = url.removeprefix("sqlite:///").split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def files_dir(url: str) -> Path:
    """The attachment store: a folder beside the database file (``wmcj.db`` → ``wmcj-files``)."""
    path = sqlite_path(url)
    if path is None:
        return default_db_path().with_name("wmcj-files")
    return path.with_name(path.stem + "-files")


class Database:
    """An open database: the engine plus the store for attachments."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def files(self) -> Path:
        return files_dir(self.url)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = _open(self.url)
        return self._engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading: one consistent snapshot, nothing written."""
        from sqlmodel import Session

        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is one transaction: all of it is committed, or none."""
        from sqlmodel import Session

        engine = self.engine.execution_options(wmcj_write=True)
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _open(url: str) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import OperationalError

    from wmcj.errors import RuntimeFailure
    from wmcj.i18n import _

    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RuntimeFailure(
                _("cannot create the folder for the database {path}: {reason}").format(
                    path=path.parent, reason=exc.strerror or exc
                )
            ) from None
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT} if is_sqlite else {},
    )
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # We issue BEGIN ourselves (below): pysqlite's implicit transactions
            # would otherwise start too late for a consistent read or write.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            # A writer takes the write lock up front, so two writers queue on the
            # busy timeout instead of failing when a read turns into a write.
            write = conn.get_execution_options().get("wmcj_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    try:
        _ensure_schema(engine)
    except OperationalError as exc:
        engine.dispose()
        raise RuntimeFailure(
            _("cannot open the database {url}: {reason}").format(url=url, reason=exc.orig)
        ) from None
    return engine


def _ensure_schema(engine: Engine) -> None:
    """Create the tables on first use; stamp the schema version."""
    from sqlalchemy import inspect, text
    from sqlmodel import SQLModel

    from wmcj import models

    with engine.connect() as conn:
        if inspect(conn).has_table("plan"):
            return
    with engine.execution_options(wmcj_write=True).begin() as conn:
        SQLModel.metadata.create_all(conn)
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA user_version = {models.SCHEMA_VERSION}")
        conn.execute(text("SELECT 1"))
