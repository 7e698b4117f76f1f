"""Looking after the record itself: backups, restores, and the integrity and invariant check.

A backup is a consistent copy made with SQLite's online backup API (others may keep
writing meanwhile) plus the attachment files it refers to, laid out so the copy is a
working database: ``backup.db`` with its files in ``backup-files``, as wmcj keeps them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wmcj.errors import InputError, RuntimeFailure
from wmcj.i18n import _
from wmcj.render import file_size

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.attachments import Store
    from wmcj.db import Database

#: Names the store gives its files: the sha256 of the bytes and a plain extension.
_STORED = re.compile(r"([0-9a-f]{64})(\.[a-z0-9]{1,16})?\Z")
#: Left in the store by a command that was killed: a partial copy, a file set aside.
INCOMING = ".incoming-"
DROPPED = ".dropped-"
#: Problems listed one by one before the rest are only counted.
MAX_LISTED = 20


# -- copying a database ------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    from wmcj.db import busy_timeout

    timeout = busy_timeout()
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return conn


def copy_database(source: Path, target: Path, *, replace: bool = False) -> None:
    """Copy an SQLite database with the online backup API, atomically, as one plain file.

    The copy is written beside ``target`` and moved into place only when complete;
    without ``replace`` an existing ``target`` is never overwritten (not even by a
    race). The copy is in rollback-journal mode, so it is a single self-contained file.
    """
    folder = target.parent
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    temp = Path(temp_name)
    try:
        src = _connect(source)
        try:
            dst = sqlite3.connect(str(temp), isolation_level=None)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        with temp.open("rb+") as stream:
            os.fsync(stream.fileno())
        if replace:
            temp.replace(target)
        else:
            _place_new(temp, target)
        _sync_folder(folder)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _place_new(temp: Path, target: Path) -> None:
    """Move ``temp`` to ``target``, which must not exist (FileExistsError otherwise)."""
    try:
        os.link(temp, target)  # fails if target exists, even if it appeared meanwhile
    except FileExistsError:
        raise
    except OSError:  # no hard links (a FAT-formatted USB stick): check, then rename
        if target.exists():
            raise FileExistsError(target) from None
        temp.replace(target)
        return
    temp.unlink()


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def upgrade_backup_path(path: Path, revision: str) -> Path:
    """Where the copy taken before an upgrade goes: ``wmcj.db.bak-0001-20190115T080000Z``."""
    base = f"{path.name}.bak-{revision}-{_stamp()}"
    candidate = path.with_name(base)
    number = 1
    while candidate.exists():
        candidate = path.with_name(f"{base}-{number}")
        number += 1
    return candidate


# -- backup and restore --------------------------------------------------------------------


@dataclass
class BackupResult:
    """What a backup wrote."""

    path: Path
    files_dir: Path | None
    files_copied: int = 0
    files_present: int = 0
    files_missing: list[str] = field(default_factory=list)


def _sqlite_file(db: Database, action: str) -> Path:
    from wmcj.db import display_name

    if db.path is None:
        raise InputError(
            _(
                "{action} works on an SQLite file; for {url} use the database server's own"
                " tools (e.g. pg_dump)"
            ).format(action=action, url=display_name(db.url))
        )
    return db.path


def _store_of(path: Path) -> Path:
    from wmcj.db import files_dir

    return files_dir(f"sqlite:///{path}")


def _attachment_files(path: Path) -> list[tuple[str, str]]:
    """(sha256, name) of every attachment a database file refers to."""
    conn = _connect(path)
    try:
        return [(str(s), str(n)) for s, n in conn.execute("SELECT sha256, name FROM attachment")]
    finally:
        conn.close()


def _copy_files(pairs: list[tuple[str, str]], source: Store, target: Store) -> BackupResult:
    """Copy the stored files named by ``pairs`` into another store (content-addressed)."""
    result = BackupResult(path=target.root, files_dir=target.root)
    done: set[Path] = set()
    for sha256, name in pairs:
        origin, copy = source.path(sha256, name), target.path(sha256, name)
        if copy in done:
            continue
        done.add(copy)
        if copy.is_file() and origin.is_file() and copy.stat().st_size == origin.stat().st_size:
            result.files_present += 1
            continue
        if not origin.is_file():
            result.files_missing.append(f"{sha256[:12]}… ({name})")
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=INCOMING, dir=target.root)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out, origin.open("rb") as stream:
                while chunk := stream.read(1 << 20):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            temp.replace(copy)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        result.files_copied += 1
    return result


def backup(*, db: Database, target: Path, force: bool = False, files: bool = True) -> BackupResult:
    """Copy the database (safely, while others write) and its attachment files to ``target``.

    The files go to the store folder that belongs to ``target`` (``x.db`` → ``x-files``),
    so ``wmcj --db target`` opens the copy with its photos.
    """
    from wmcj.attachments import Store

    source = _sqlite_file(db, "wmcj db backup")
    target = target.expanduser()
    if target.is_dir():
        raise InputError(
            _("{path} is a folder; give the backup a file name, e.g. {example}").format(
                path=target, example=target / "wmcj-backup.db"
            )
        )
    if target.exists() and target.resolve() == source.resolve():
        raise InputError(
            _("{path} is the database itself; give the backup another name").format(path=target)
        )
    if target.exists() and not force:
        raise InputError(
            _("{path} already exists; give another name, or --force to replace it").format(
                path=target
            )
        )
    if not target.parent.is_dir():
        raise InputError(
            _("the folder {path} does not exist; create it first").format(path=target.parent)
        )
    db.engine  # noqa: B018  (opens it: a database that cannot be opened is not backed up)
    try:
        copy_database(source, target, replace=force)
    except FileExistsError:
        raise InputError(
            _("{path} already exists; give another name, or --force to replace it").format(
                path=target
            )
        ) from None
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot write the backup {path}: {reason}").format(
                path=target, reason=exc.strerror or exc
            )
        ) from None
    if not files:
        return BackupResult(path=target, files_dir=None)
    target_store = _store_of(target)
    try:
        target_store.mkdir(exist_ok=True)
        result = _copy_files(_attachment_files(target), Store(db.files), Store(target_store))
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot copy the attachment files to {path}: {reason}").format(
                path=target_store, reason=exc.strerror or exc
            )
        ) from None
    result.path = target
    return result


def check_backup_file(path: Path) -> str:
    """Refuse a file to restore from unless it is a sound wmcj database; return its revision."""
    from wmcj.models import SCHEMA_REVISIONS

    if not path.is_file():
        raise InputError(_("no such file: {path}").format(path=path))
    with path.open("rb") as stream:
        header = stream.read(16)
    if header != b"SQLite format 3\x00":
        raise InputError(_("{path} is not a wmcj database").format(path=path))
    conn = _connect(path)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "plan" not in tables or "alembic_version" not in tables:
            raise InputError(_("{path} is not a wmcj database").format(path=path))
        stamped = conn.execute("SELECT version_num FROM alembic_version")
        revision = ",".join(sorted(str(row[0]) for row in stamped))
        if revision not in SCHEMA_REVISIONS:
            raise InputError(
                _("{path} was written by a newer wmcj (schema {found}); upgrade wmcj first").format(
                    path=path, found=revision
                )
            )
        verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise InputError(
                _("{path} is damaged ({reason}); it cannot be restored").format(
                    path=path, reason=verdict[0]
                )
            )
    except sqlite3.DatabaseError as exc:
        raise InputError(
            _("{path} is not a wmcj database ({reason})").format(path=path, reason=exc)
        ) from None
    finally:
        conn.close()
    return revision


@dataclass
class RestoreResult:
    """What a restore did, and where the replaced database was kept."""

    source: Path
    safety_copy: Path | None
    files: BackupResult

    @property
    def source_files(self) -> Path:
        """Where the backup's attachment files were taken from."""
        return _store_of(self.source)


def restore(*, db: Database, source: Path) -> RestoreResult:
    """Replace the database's content with a backup's, keeping a copy of what it replaces.

    A sound database is overwritten with the backup API in reverse, under SQLite's
    own locks (never a file copy over a database in use). A damaged one, which no
    program can be using, is set aside whole and the backup copied in its place.
    The backup's attachment files join the store.
    """
    from wmcj.attachments import Store

    live = _sqlite_file(db, "wmcj db restore")
    source = source.expanduser()
    check_backup_file(source)
    if live.exists() and source.resolve() == live.resolve():
        raise InputError(_("{path} is the database itself; nothing to restore").format(path=live))
    safety: Path | None = None
    sound = True
    if live.exists():
        try:
            db.engine  # noqa: B018  (opens it: is it a database at all?)
        except RuntimeFailure:
            sound = False
        db.close()
        safety = upgrade_backup_path(live, "restore")
        if sound:
            copy_database(live, safety)
        else:
            for suffix in ("", "-wal", "-shm"):
                damaged = live.with_name(live.name + suffix)
                if damaged.exists():
                    damaged.replace(safety.with_name(safety.name + suffix))
    db.files.mkdir(parents=True, exist_ok=True)
    files = _copy_files(_attachment_files(source), Store(_store_of(source)), Store(db.files))
    if not sound or not live.exists():
        copy_database(source, live)
        return RestoreResult(source=source, safety_copy=safety, files=files)
    src = _connect(source)
    try:
        dst = _connect(live)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return RestoreResult(source=source, safety_copy=safety, files=files)


# -- the check --------------------------------------------------------------------------------


@dataclass
class CheckReport:
    """What ``wmcj db check`` found: problems (exit 1), warnings, and what it tidied."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    activities: int = 0
    attachments: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _listed(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LISTED:
        return lines
    rest = len(lines) - MAX_LISTED
    return [*lines[:MAX_LISTED], _("… and {count} more like these").format(count=rest)]


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks (attachments can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_database(*, db: Database, repair: bool = False, hashes: bool = True) -> CheckReport:
    """Check the database and its store: SQLite's integrity, links, and wmcj's own rules.

    With ``repair``, leftovers of interrupted commands are tidied in the store first
    (under the write lock, so no command is half-way meanwhile): partial copies are
    removed and files set aside by a command that never finished go back in place.
    The database's rows are never changed.
    """
    from wmcj.attachments import Store

    report = CheckReport()
    store = Store(db.files)
    with db.write() if repair else db.read() as session:
        if db.path is not None:
            _sqlite_checks(session, report)
        if report.problems:
            return report  # a damaged file: the rest would only add noise
        _row_checks(session, report)
        pairs = _attachment_rows(session)
        if repair:
            _repair_store(store, pairs, report)
        _store_checks(store, pairs, report, hashes=hashes)
    report.problems = _listed(report.problems)
    return report


def _sqlite_checks(session: Session, report: CheckReport) -> None:
    conn = session.connection()
    verdict = [str(row[0]) for row in conn.exec_driver_sql("PRAGMA integrity_check")]
    if verdict != ["ok"]:
        report.problems += [
            _("SQLite integrity check: {detail}").format(detail=line) for line in verdict
        ]
    for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        report.problems.append(
            _("{table} row {rowid} refers to a missing {parent} row").format(
                table=table, rowid=rowid, parent=parent
            )
        )


def _row_checks(session: Session, report: CheckReport) -> None:
    """wmcj's own rules about activities, their task links and their evidence figures."""
    from sqlmodel import func, select

    from wmcj.activities import note_chars
    from wmcj.models import Activity, ActivityTask, Area, Attachment, Plan, Task

    activities = session.exec(
        select(Activity.id, Activity.date, Plan.year, Activity.photos, Activity.files,
               Activity.note, Activity.note_chars)
        .join(Plan, Plan.id == Activity.plan_id)
    ).all()  # fmt: skip
    report.activities = len(activities)
    linked = set(session.exec(select(ActivityTask.activity_id).distinct()).all())
    counts: dict[int, tuple[int, int]] = {}
    for activity_id, photo, number in session.exec(
        select(Attachment.activity_id, Attachment.photo, func.count()).group_by(
            Attachment.activity_id, Attachment.photo
        )
    ):
        photos, files = counts.get(activity_id, (0, 0))
        counts[activity_id] = (photos + number, files) if photo else (photos, files + number)
    for number, day, year, photos, files, note, chars in activities:
        if number not in linked:
            report.problems.append(
                _("activity #{number} counts for no task; link it: wmcj activity edit {number}"
                  " --task ID").format(number=number)
            )  # fmt: skip
        if day.year != year:
            report.problems.append(
                _("activity #{number} is dated {date} but belongs to plan {year}").format(
                    number=number, date=day.isoformat(), year=year
                )
            )
        held = counts.get(number, (0, 0))
        if (photos, files) != held:
            report.problems.append(
                _(
                    "activity #{number} says it has {photos} photo(s) and {files} other file(s),"
                    " but {held_photos} and {held_files} are attached"
                ).format(
                    number=number,
                    photos=photos,
                    files=files,
                    held_photos=held[0],
                    held_files=held[1],
                )
            )
        if chars != note_chars(note):
            report.problems.append(
                _("activity #{number} says its note has {chars} characters, but it has {real}")
                .format(number=number, chars=chars, real=note_chars(note))
            )  # fmt: skip
    for number, key, activity_year, task_year in session.exec(
        select(ActivityTask.activity_id, Task.key, Plan.year, Task.plan_id)
        .join(Activity, Activity.id == ActivityTask.activity_id)
        .join(Task, Task.id == ActivityTask.task_id)
        .join(Plan, Plan.id == Activity.plan_id)
        .where(Task.plan_id != Activity.plan_id)
    ):
        del activity_year, task_year
        report.problems.append(
            _("activity #{number} counts for task '{key}' of another plan").format(
                number=number, key=key
            )
        )
    for key, plan_id in session.exec(
        select(Task.key, Task.plan_id)
        .join(Area, Area.id == Task.area_id)
        .where(Area.plan_id != Task.plan_id)
    ):
        del plan_id
        report.problems.append(_("task '{key}' sits in an area of another plan").format(key=key))


def _attachment_rows(session: Session) -> list[tuple[int, str, str, int]]:
    from sqlmodel import select

    from wmcj.models import Attachment

    return [
        (row.activity_id, row.sha256, row.name, row.size)
        for row in session.exec(select(Attachment).order_by(Attachment.id))
    ]


def _store_checks(
    store: Store, pairs: list[tuple[int, str, str, int]], report: CheckReport, *, hashes: bool
) -> None:
    """Every attachment's file is there with its size and hash; the rest of the store, warned."""
    report.attachments = len(pairs)
    wanted: dict[Path, tuple[str, int]] = {}
    seen: dict[Path, str | None] = {}
    for number, sha256, name, size in pairs:
        try:
            path = store.path(sha256, name)
        except ValueError:
            report.problems.append(
                _("activity #{number}: attachment '{name}' has a broken hash {sha256!r}").format(
                    number=number, name=name, sha256=sha256
                )
            )
            continue
        wanted[path] = (sha256, size)
        if path not in seen:
            seen[path] = _file_problem(path, sha256, size, hashes=hashes)
        if seen[path] is not None:
            report.problems.append(
                _("activity #{number}: attachment '{name}' {problem}").format(
                    number=number, name=name, problem=seen[path]
                )
            )
    if not store.root.is_dir():
        return
    orphans: list[Path] = []
    leftovers: list[Path] = []
    strange: list[Path] = []
    for entry in sorted(store.root.rglob("*")):
        if entry.is_dir() and not entry.is_symlink():
            continue
        relative = entry.relative_to(store.root)
        if entry.name.startswith((INCOMING, DROPPED)) and len(relative.parts) == 1:
            leftovers.append(entry)
        elif (
            len(relative.parts) == 2
            and _STORED.match(entry.name)
            and entry.name[:2] == relative.parts[0]
            and entry.is_file()
            and not entry.is_symlink()
        ):
            if entry not in wanted:
                orphans.append(entry)
        else:
            strange.append(entry)
    if orphans:
        size = sum(p.stat().st_size for p in orphans)
        report.warnings.append(
            _(
                "{count} file(s) in the store belong to no activity ({size}); left by an"
                " interrupted command or a restore, they can stay: {names}"
            ).format(count=len(orphans), size=file_size(size), names=_names(orphans, store.root))
        )
    if leftovers:
        report.warnings.append(
            _(
                "{count} partial file(s) left in the store by interrupted commands; remove them"
                " with: wmcj db check --repair"
            ).format(count=len(leftovers))
        )
    if strange:
        report.warnings.append(
            _("{count} file(s) in the store that wmcj did not put there: {names}").format(
                count=len(strange), names=_names(strange, store.root)
            )
        )


def _names(paths: list[Path], root: Path) -> str:
    shown = [str(p.relative_to(root)) for p in paths[:5]]
    return ", ".join(shown) + (" …" if len(paths) > 5 else "")


def _file_problem(path: Path, sha256: str, size: int, *, hashes: bool) -> str | None:
    if path.is_symlink() or not path.is_file():
        hint = _("; run 'wmcj db check --repair', or restore a backup")
        return _("is missing from the store ({path})").format(path=path) + hint
    actual = path.stat().st_size
    if actual != size:
        return _("has {actual} bytes in the store, not {size}: the file was changed").format(
            actual=actual, size=size
        )
    if hashes and file_sha256(path) != sha256:
        return _("does not match its sha256 in the store: the file was changed ({path})").format(
            path=path
        )
    return None


def _repair_store(
    store: Store, pairs: list[tuple[int, str, str, int]], report: CheckReport
) -> None:
    """Remove partial copies; put files set aside by an unfinished command back in place."""
    if not store.root.is_dir():
        return
    missing: dict[str, list[Path]] = {}
    for _number, sha256, name, _bytes in pairs:
        with contextlib.suppress(ValueError):
            path = store.path(sha256, name)
            if not path.is_file() and path not in missing.get(sha256, []):
                missing.setdefault(sha256, []).append(path)
    for entry in sorted(store.root.iterdir()):
        if not entry.is_file() or entry.is_symlink():
            continue
        if entry.name.startswith(INCOMING):
            entry.unlink()
            report.repaired.append(_("removed a partial copy {name}").format(name=entry.name))
        elif entry.name.startswith(DROPPED):
            places = missing.pop(file_sha256(entry), [])
            if not places:
                entry.unlink()
                report.repaired.append(
                    _("removed {name}, a file no activity uses any more").format(name=entry.name)
                )
            for number, place in enumerate(places):
                place.parent.mkdir(exist_ok=True)
                if number == 0:
                    entry.replace(place)
                else:  # the same bytes attached under another extension
                    shutil.copyfile(places[0], place)
                report.repaired.append(
                    _("put {path} back in the store").format(path=place.relative_to(store.root))
                )


def database_exists(db: Database) -> bool:
    """Whether there is a database to look at (a URL other than a file: assume so)."""
    return db.path is None or db.path.is_file()
