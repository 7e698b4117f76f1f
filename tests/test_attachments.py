"""The attachment store: content-addressed, streamed, and in step with the database transaction."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wmcj import attachments
from wmcj.attachments import Store, changing, check_readable, extension, media_type
from wmcj.errors import InputError, RuntimeFailure


def files_in(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden temporary ones too), with its bytes."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def make(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_file_is_stored_under_its_hash_with_its_extension(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    source = make(tmp_path, "现场照片.JPG", b"\xff\xd8 a photo")
    stored, added = store.copy_in(source)
    sha = hashlib.sha256(b"\xff\xd8 a photo").hexdigest()
    assert added
    assert stored.sha256 == sha
    assert stored.path == tmp_path / "store" / sha[:2] / f"{sha}.jpg"
    assert stored.name == "现场照片.JPG"
    assert stored.media_type == "image/jpeg"
    assert stored.size == len(b"\xff\xd8 a photo")
    assert stored.photo is True
    assert files_in(tmp_path / "store") == {f"{sha[:2]}/{sha}.jpg": b"\xff\xd8 a photo"}


def test_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    first, added_first = store.copy_in(make(tmp_path, "a.png", b"same"))
    second, added_second = store.copy_in(make(tmp_path, "b.png", b"same"))
    assert (added_first, added_second) == (True, False)
    assert first.path == second.path
    assert len(files_in(tmp_path / "store")) == 1


def test_big_files_are_streamed_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "CHUNK", 1000)
    data = os.urandom(25_123)
    stored, _added = Store(tmp_path / "store").copy_in(make(tmp_path, "scan.pdf", data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == 25_123
    assert stored.path.read_bytes() == data
    assert stored.photo is False and stored.media_type == "application/pdf"


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5000), chunk=st.integers(min_value=1, max_value=700))
def test_stored_bytes_and_hash_match_the_source(data: bytes, chunk: int) -> None:
    original = attachments.CHUNK
    attachments.CHUNK = chunk
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            stored, _added = Store(root / "store").copy_in(make(root, "f.bin", data))
            assert stored.path.read_bytes() == data
            assert stored.sha256 == hashlib.sha256(data).hexdigest()
            assert stored.size == len(data)
            # Nothing but the stored file is left behind (no temporary files).
            assert list(files_in(root / "store")) == [f"{stored.sha256[:2]}/{stored.path.name}"]
    finally:
        attachments.CHUNK = original


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.JPG", ".jpg"),
        ("report.tar.gz", ".gz"),
        ("README", ""),
        ("说明.文档", ""),
        ("weird.ext/../../x", ""),
        ("a.verylongextensionname", ""),
        (".hidden", ""),
    ],
)
def test_only_plain_extensions_are_kept(name: str, expected: str) -> None:
    assert extension(name) == expected


def test_stored_paths_never_leave_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    sha = "a" * 64
    assert store.path(sha, "../../etc/passwd.jpg") == tmp_path / "store" / "aa" / f"{sha}.jpg"
    with pytest.raises(ValueError):
        store.path("../../etc/passwd", "x.jpg")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.heic", "image/heic"), ("a.tif", "image/tiff"), ("a.docx", None), ("noext", None)],
)
def test_media_types(name: str, expected: str | None) -> None:
    result = media_type(name)
    if expected is None:
        assert result  # always something, never empty
        if name == "noext":
            assert result == "application/octet-stream"
    else:
        assert result == expected


def test_missing_and_folder_attachments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        check_readable(tmp_path / "nope.jpg")
    with pytest.raises(InputError, match="is a folder"):
        check_readable(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_attachments_are_refused(tmp_path: Path) -> None:
    secret = make(tmp_path, "secret.jpg", b"x")
    secret.chmod(0)
    try:
        with pytest.raises(InputError, match="cannot read"):
            check_readable(secret)
    finally:
        secret.chmod(0o644)


def test_a_failed_command_takes_its_new_files_out_again(tmp_path: Path) -> None:
    root = tmp_path / "store"
    kept, _ = Store(root).copy_in(make(tmp_path, "old.jpg", b"old"))
    before = files_in(root)
    with pytest.raises(RuntimeError), changing(root) as files:
        files.put(make(tmp_path, "new.jpg", b"new"))
        files.put(make(tmp_path, "old-again.jpg", b"old"))  # already there: must stay
        raise RuntimeError("the database transaction failed")
    assert files_in(root) == before
    assert kept.path.read_bytes() == b"old"


def test_dropped_files_go_only_when_the_command_succeeds(tmp_path: Path) -> None:
    root = tmp_path / "store"
    stored, _ = Store(root).copy_in(make(tmp_path, "a.jpg", b"photo"))
    before = files_in(root)

    with pytest.raises(RuntimeError), changing(root) as files:
        files.drop(stored.sha256, "a.jpg")
        assert not stored.path.exists()  # set aside while the transaction runs
        raise RuntimeError("rolled back")
    assert files_in(root) == before

    with changing(root) as files:
        files.drop(stored.sha256, "a.jpg")
    assert files_in(root) == {}


def test_drop_then_put_the_same_file_in_one_command(tmp_path: Path) -> None:
    root = tmp_path / "store"
    stored, _ = Store(root).copy_in(make(tmp_path, "a.jpg", b"photo"))
    with changing(root) as files:
        files.drop(stored.sha256, "a.jpg")
        files.put(make(tmp_path, "b.jpg", b"photo"))
    assert files_in(root) == {f"{stored.sha256[:2]}/{stored.path.name}": b"photo"}


def test_a_store_that_cannot_be_created_is_a_runtime_failure(tmp_path: Path) -> None:
    blocker = make(tmp_path, "blocker", b"a file where the store folder should be")
    with pytest.raises(RuntimeFailure, match="attachment store"):
        Store(blocker / "store").copy_in(make(tmp_path, "a.jpg", b"x"))
