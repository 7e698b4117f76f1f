"""The attachment store: photos and files kept once each, named by their content's sha256.

A stored file lives at ``<store>/ab/abcdef….jpg``: the hash of its bytes plus the
original extension (lower-cased), so it opens in a viewer. Rows in the database
say which activity uses which file; the store itself keeps no index.

Changes to the store follow the database transaction they belong to
(:func:`changing`): files a command adds are removed again if the command fails,
and files it gives up are only deleted once the command has succeeded.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from wmcj.errors import InputError, RuntimeFailure
from wmcj.i18n import _
from wmcj.planfile import PHOTO_TYPES, is_photo

#: Bytes read at a time while copying: big files never sit in memory whole.
CHUNK = 1 << 20
#: The largest file kept: photos, scans and short videos fit; every backup copies the store.
MAX_BYTES = 2 * 1024**3

_HEX = re.compile(r"[0-9a-f]{64}")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,16}")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file as the store holds it, with what the Attachment row keeps about it."""

    sha256: str
    name: str
    media_type: str
    size: int
    photo: bool
    path: Path


def extension(name: str) -> str:
    """The stored file's extension: the original one, lower-cased, if it is a plain one."""
    suffix = Path(name).suffix.lower()
    return suffix if _EXTENSION.fullmatch(suffix) else ""


def media_type(name: str) -> str:
    """The media type guessed from the file name (images known even where the OS is not sure)."""
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    if guessed:
        return guessed
    suffix = extension(name).lstrip(".")
    if suffix in PHOTO_TYPES:
        return f"image/{'jpeg' if suffix == 'jpg' else suffix}"
    return "application/octet-stream"


def stored_name(name: str) -> str:
    """A file name as text the database can hold.

    Names the system could not decode (a USB stick written by Chinese Windows: GBK)
    are decoded as GBK where that works, else with replacement characters.
    """
    raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def check_readable(path: Path) -> None:
    """Refuse, before anything is written, a file that is missing, a folder or unreadable."""
    if path.is_dir():
        raise InputError(
            _(
                "attachment {path} is a folder, not a file; attach the files in it one by one"
            ).format(path=path)
        )
    if not path.exists():
        raise InputError(_("attachment {path} does not exist; check the path").format(path=path))
    if not path.is_file():  # a device or a pipe would be read for ever (or block)
        raise InputError(
            _("attachment {path} is not an ordinary file; attach a saved file").format(path=path)
        )
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            _(
                "attachment {path} is {size} GB; files over {limit} GB are not kept — compress or"
                " split it, or keep it elsewhere and say where in --note"
            ).format(path=path, size=f"{size / 1024**3:.1f}", limit=MAX_BYTES // 1024**3)
        )
    try:
        with path.open("rb") as stream:
            stream.read(1)
    except OSError as exc:
        raise InputError(
            _("cannot read attachment {path}: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None


class Store:
    """A content-addressed folder of attachment files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, name: str) -> Path:
        """Where the file with this hash, attached under this name, is stored."""
        if not _HEX.fullmatch(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / (sha256 + extension(name))

    def has(self, sha256: str, name: str) -> bool:
        return self.path(sha256, name).is_file()

    def _folder(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RuntimeFailure(
                _("cannot create the attachment store {path}: {reason}").format(
                    path=self.root, reason=exc.strerror or exc
                )
            ) from None

    def copy_in(self, source: Path) -> tuple[StoredFile, bool]:
        """Copy ``source`` into the store, hashing as it streams; say whether it was new.

        The bytes go to a temporary file inside the store and are renamed into
        place, so a stored file is always complete.
        """
        self._folder()
        digest = hashlib.sha256()
        size = 0
        try:
            handle, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        except OSError as exc:
            raise self._failure(source, exc) from None
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out, source.open("rb") as stream:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path(sha256, stored_name(source.name))
            added = not target.is_file()
            if added:
                target.parent.mkdir(exist_ok=True)
                temp.replace(target)
            else:
                temp.unlink()
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise self._failure(source, exc) from None
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        name = stored_name(source.name)
        stored = StoredFile(
            sha256=sha256,
            name=name,
            media_type=media_type(name),
            size=size,
            photo=is_photo(name),
            path=target,
        )
        return stored, added

    def _failure(self, source: Path, exc: OSError) -> RuntimeFailure:
        return RuntimeFailure(
            _("cannot store attachment {path}: {reason} (nothing was written)").format(
                path=source, reason=exc.strerror or exc
            )
        )


@dataclass
class StoreChanges:
    """What one command does to the store, so it can be undone or finished with the database."""

    store: Store
    added: list[Path] = field(default_factory=list)
    dropped: list[tuple[Path, Path]] = field(default_factory=list)

    def put(self, source: Path) -> StoredFile:
        """Copy a file in; remember it if it is new, so a failure can take it out again."""
        stored, added = self.store.copy_in(source)
        if added:
            self.added.append(stored.path)
        return stored

    def drop(self, sha256: str, name: str) -> None:
        """Give up a stored file nobody uses any more: set aside now, deleted on success.

        Setting it aside (a rename) happens while the command holds the database's
        write lock, so another command cannot start using the file in between.
        """
        path = self.store.path(sha256, name)
        if not path.is_file() or any(p == path for p, _aside in self.dropped):
            return
        try:
            handle, aside_name = tempfile.mkstemp(prefix=".dropped-", dir=self.store.root)
            os.close(handle)
            aside = Path(aside_name)
            path.replace(aside)
        except OSError as exc:
            raise RuntimeFailure(
                _("cannot remove {path} from the attachment store: {reason}").format(
                    path=path, reason=exc.strerror or exc
                )
            ) from None
        self.dropped.append((path, aside))

    def undo(self) -> None:
        """Put the store back as it was: new files out, set-aside files back in place."""
        for path in reversed(self.added):
            path.unlink(missing_ok=True)
            _remove_empty(path.parent, self.store.root)
        for path, aside in reversed(self.dropped):
            if aside.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                aside.replace(path)
        self.added.clear()
        self.dropped.clear()

    def finish(self) -> None:
        """The command succeeded: files given up are deleted for good."""
        for path, aside in self.dropped:
            aside.unlink(missing_ok=True)
            _remove_empty(path.parent, self.store.root)
        self.added.clear()
        self.dropped.clear()


def _remove_empty(folder: Path, root: Path) -> None:
    """Tidy a hash folder left empty; never the store itself, never outside it."""
    if folder.parent != root:
        return
    with contextlib.suppress(OSError):  # not empty, or already gone: nothing to do
        folder.rmdir()


@contextmanager
def changing(root: Path) -> Iterator[StoreChanges]:
    """Store changes that stand only if the block (and its database transaction) succeeds.

    Open it *around* the database transaction, so it settles after the commit::

        with changing(db.files) as files, db.write() as session: ...
    """
    changes = StoreChanges(Store(root))
    try:
        yield changes
    except BaseException:
        changes.undo()
        raise
    changes.finish()
