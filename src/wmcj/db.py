"""Where the database is and how it is opened: WAL, busy timeout, foreign keys, transactions.

Opening also settles the schema: a new database is created at the current revision;
an older one is copied aside and upgraded in place (Alembic, imported only then); a
newer one is refused. Checking costs one query of the stored revision.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from wmcj.errors import RuntimeFailure

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

#: Seconds a writer waits for another writer before giving up (the spec asks for ≥ 10).
BUSY_TIMEOUT = 30

_VERSION_TABLE = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
    " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)


def busy_timeout() -> float:
    """:data:`BUSY_TIMEOUT`, or ``WMCJ_BUSY_TIMEOUT`` seconds — a hook for tests of a lock."""
    value = os.environ.get("WMCJ_BUSY_TIMEOUT", "").strip()
    try:
        return max(float(value), 0.0) if value else BUSY_TIMEOUT
    except ValueError:
        return BUSY_TIMEOUT


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


def display_name(url: str) -> str:
    """The database as people should see it: the file, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    if "@" not in url:
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class Database:
    """An open database: the engine plus the store for attachments."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def files(self) -> Path:
        return files_dir(self.url)

    @property
    def path(self) -> Path | None:
        """The SQLite file, if the database is one."""
        return sqlite_path(self.url)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = _open(self.url)
        return self._engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading: one consistent snapshot, nothing written."""
        from sqlmodel import Session

        engine = self.engine
        with (
            _failures(self.url),
            Session(engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is one transaction: all of it is committed, or none."""
        from sqlmodel import Session

        engine = self.engine.execution_options(wmcj_write=True)
        with (
            _failures(self.url),
            Session(engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


# -- failures people can act on ---------------------------------------------------------


def failure_message(exc: BaseException, url: str) -> str | None:
    """What to tell the user about a database error, or None if it is not one we know."""
    from wmcj.i18n import _

    reason = str(getattr(exc, "orig", None) or exc)
    text = reason.lower()
    where = display_name(url)
    path = sqlite_path(url)
    if path is not None and ("disk i/o" in text or "unable to open" in text):
        # SQLite names the symptom (it cannot extend its files); name the cause.
        if _disk_full(path):
            text = "disk is full"
        elif _read_only(path):
            text = "readonly"
    if "locked" in text or "busy" in text:
        return _(
            "the database {path} is busy: another program has been writing to it for more than"
            " {seconds:g} seconds; try again in a moment"
        ).format(path=where, seconds=busy_timeout())
    if "full" in text:
        return _(
            "the disk holding the database {path} is full; free some space and try again"
            " (nothing was written)"
        ).format(path=where)
    if "readonly" in text or "read-only" in text:
        return _(
            "the database {path} is read-only; check the permissions of the file and its folder"
        ).format(path=where)
    if "not a database" in text or "file is encrypted" in text:
        return _(
            "{path} is not a wmcj database (or it is damaged); check --db / WMCJ_DB, or restore"
            " a backup with: wmcj db restore FILE"
        ).format(path=where)
    if "malformed" in text or "corrupt" in text:
        return _(
            "the database {path} is damaged ({reason}); run 'wmcj db check', and restore a"
            " backup with 'wmcj db restore FILE' if need be"
        ).format(path=where, reason=reason)
    if "unable to open" in text:
        return _(
            "cannot open the database {path}; check that its folder exists and that you may"
            " write there"
        ).format(path=where)
    if "disk i/o" in text:
        return _(
            "the disk failed while using the database {path} (disk I/O error); check the disk,"
            " then run: wmcj db check"
        ).format(path=where)
    return None


#: Free bytes below which a failing write is put down to a full disk.
_NEARLY_FULL = 1 << 20


def _disk_full(path: Path) -> bool:
    folder = path.parent if str(path.parent) else Path()
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    return stats.f_bavail * stats.f_frsize < _NEARLY_FULL


def _read_only(path: Path) -> bool:
    folder = path.parent if str(path.parent) else Path()
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return folder.is_dir() and not os.access(folder, os.W_OK)


def _is_database_error(exc: BaseException) -> bool:
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError | sqlite3.Error)


@contextmanager
def _failures(url: str) -> Iterator[None]:
    """Database errors the user can act on become one-line RuntimeFailures (exit 1)."""
    try:
        yield
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        message = failure_message(exc, url)
        if message is None:
            raise
        raise RuntimeFailure(message) from exc


# -- opening -------------------------------------------------------------------------------


def _open(url: str) -> Engine:
    from sqlalchemy import create_engine, event

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
        if path.is_dir():
            raise RuntimeFailure(
                _("the database {path} is a folder; give a file name with --db or WMCJ_DB").format(
                    path=path
                )
            )
    timeout = busy_timeout()
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"timeout": timeout} if is_sqlite else {})
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # We issue BEGIN ourselves (below): pysqlite's implicit transactions
            # would otherwise start too late for a consistent read or write.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
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
        with _failures(url):
            _ensure_schema(engine, url)
    except BaseException as exc:
        engine.dispose()
        if isinstance(exc, Exception) and _is_database_error(exc):
            raise RuntimeFailure(
                _("cannot open the database {url}: {reason}").format(
                    url=display_name(url), reason=getattr(exc, "orig", None) or exc
                )
            ) from exc
        raise
    return engine


# -- the schema's revision ------------------------------------------------------------------


def _ensure_schema(engine: Engine, url: str) -> None:
    """Make the database's schema the one this program knows; cheap when it already is."""
    from wmcj.models import SCHEMA_REVISION

    stored = _stored_revision(engine)
    if stored == SCHEMA_REVISION:
        return
    if stored is None:
        stored = _create(engine, url)
        if stored is None or stored == SCHEMA_REVISION:
            return
    _upgrade(engine, url, stored)


def _stored_revision(engine: Engine) -> str | None:
    """The revision stamped in the database (one query); None when nothing is stamped."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig).lower()
        if "no such table" in text or "does not exist" in text:
            return None
        raise
    return ",".join(sorted(str(row[0]) for row in rows)) or None


def _read_revision(conn: Connection) -> str | None:
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return ",".join(sorted(str(row[0]) for row in rows)) or None


def _create(engine: Engine, url: str) -> str | None:
    """Create the schema on first use; return the revision found if another got there first."""
    from sqlalchemy import inspect
    from sqlmodel import SQLModel

    from wmcj import models
    from wmcj.i18n import _

    with engine.execution_options(wmcj_write=True).begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" in tables:
            found = _read_revision(conn)
            if found is not None:
                return found  # created by another wmcj while we waited for the lock
        elif "plan" in tables:
            # Made by a development version before migrations existed: the baseline.
            conn.exec_driver_sql(_VERSION_TABLE)
            conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
            return "0001"
        foreign = {t for t in tables if not t.startswith("sqlite_")} - {"alembic_version"}
        if foreign:
            raise RuntimeFailure(
                _(
                    "{path} is a database of another program (it has tables such as '{table}');"
                    " give wmcj its own file with --db or WMCJ_DB"
                ).format(path=display_name(url), table=sorted(foreign)[0])
            )
        SQLModel.metadata.create_all(conn)
        if "alembic_version" not in tables:
            conn.exec_driver_sql(_VERSION_TABLE)
        conn.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{models.SCHEMA_REVISION}')")
    return None


def _refuse_newer(url: str, found: str) -> RuntimeFailure:
    from wmcj.i18n import _
    from wmcj.models import SCHEMA_REVISION

    return RuntimeFailure(
        _(
            "the database {path} was written by a newer wmcj (schema {found}; this wmcj knows"
            " {known}); upgrade wmcj (e.g. pip install --upgrade wmcj) and try again"
        ).format(path=display_name(url), found=found, known=SCHEMA_REVISION)
    )


def _upgrade(engine: Engine, url: str, stored: str) -> None:
    """Bring an older database to this program's revision, in place, after a backup copy.

    The write lock is taken first, so the copy is exactly what is upgraded and two
    programs opening the old file at once upgrade it once.
    """
    from wmcj.i18n import _
    from wmcj.models import SCHEMA_REVISION, SCHEMA_REVISIONS

    if stored not in SCHEMA_REVISIONS:
        raise _refuse_newer(url, stored)
    path = sqlite_path(url)
    backup: Path | None = None
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if path is not None else None
        if raw is not None:
            # SQLite's way to alter tables: foreign keys off (only possible outside a
            # transaction), everything in one transaction, foreign keys checked at the end.
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.execution_options(wmcj_write=True).begin():
                found = _read_revision(conn)
                if found == SCHEMA_REVISION:
                    return  # another wmcj upgraded it while we waited for the lock
                if found not in SCHEMA_REVISIONS:
                    raise _refuse_newer(url, str(found))
                if path is not None:
                    from wmcj.dbtools import copy_database, upgrade_backup_path

                    backup = upgrade_backup_path(path, str(found))
                    copy_database(path, backup)
                _migrate(conn)
                if raw is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeFailure(
                            _(
                                "upgrading {path} would break {count} links between rows;"
                                " nothing was changed — please report this"
                            ).format(path=display_name(url), count=len(broken))
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")
    message = _("upgraded the database {path} from schema {old} to {new}").format(
        path=display_name(url), old=found, new=SCHEMA_REVISION
    )
    if backup is not None:
        message += _("; the old one is kept as {backup}").format(backup=backup)
    print(f"wmcj: {message}", file=sys.stderr)


def _migrate(conn: Connection) -> None:
    """Run Alembic's upgrade to the head inside the caller's transaction."""
    from alembic import command

    from wmcj.migrations import config
    from wmcj.models import SCHEMA_REVISION

    command.upgrade(config(conn), SCHEMA_REVISION)
