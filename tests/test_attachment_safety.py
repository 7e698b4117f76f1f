"""Attachments from the wild: odd names, links, escapes, devices, huge files.

The store keeps files under their content's sha256 and a plain extension, so no
name can steer a write outside it; the name people gave is kept as text in the
database. Decisions: a symbolic link is followed and the file it points to is
copied (the record keeps the bytes, whatever later happens to the link); a device
or pipe is refused; files over 2 GB are refused with a message; big files are
copied and hashed in 1 MB chunks, never held in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wmcj.attachments import MAX_BYTES, Store, stored_name

WMCJ = str(Path(sys.executable).with_name("wmcj"))
STORED = r"[0-9a-f]{64}(\.[a-z0-9]{1,16})?"


@pytest.fixture
def office(loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WMCJ_TODAY", "2018-06-30")
    folder = tmp_path / "office"
    folder.mkdir()
    return folder


def add(run: Any, *attach: str) -> Any:
    args = ["activity", "add", "活动", "--task", "work-plan"]
    for path in attach:
        args += ["--attach", path]
    return run(*args)


def attachments(run: Any) -> list[dict[str, Any]]:
    listed = json.loads(run("activity", "list", "--format", "json").stdout)
    return [a for activity in listed for a in activity["attachments"]]


def files_outside_the_store(tmp_path: Path) -> set[Path]:
    store = tmp_path / "wmcj-files"
    return {
        p
        for p in tmp_path.rglob("*")
        if store not in p.parents and p != store and not p.name.startswith("wmcj.db")
    }


ODD_NAMES = [
    "会议 记录 (终稿).pdf",
    "🎉庆祝大会🎉.jpg",
    "line\nbreak.png",
    "-leading-dash.jpg",
    "--attach.jpg",
    "tab\there.txt",
    "quote'\"and`back.doc",
    "back\\slash.jpg",
    ".hidden.JPG",
    "no-extension",
    "many.dots.tar.gz",
    "a" * 240 + ".jpeg",
    "照片" * 40 + ".png",
    "ends with space .jpg ",
    "..",  # a file literally named '..' cannot exist; '...' can
]


@pytest.mark.parametrize("name", [n for n in ODD_NAMES if n != ".."] + ["..."])
def test_odd_names_are_kept_as_given_and_stored_by_hash(
    run: Any, office: Path, tmp_path: Path, name: str
) -> None:
    source = office / name
    data = f"content of {name!r}".encode()
    source.write_bytes(data)
    before = files_outside_the_store(tmp_path)
    result = add(run, str(source))
    assert result.exit_code == 0, result.stderr
    (attachment,) = attachments(run)
    assert attachment["name"] == name
    stored = Path(attachment["path"])
    assert stored.parent.parent == tmp_path / "wmcj-files"
    assert re.fullmatch(STORED, stored.name)
    assert stored.read_bytes() == data and attachment["sha256"] == hashlib.sha256(data).hexdigest()
    assert files_outside_the_store(tmp_path) == before


def test_names_that_look_like_options_are_files(
    run: Any, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(office)
    (office / "-x.jpg").write_bytes(b"dash")
    (office / "--help.jpg").write_bytes(b"two dashes")
    result = run(
        "activity", "add", "活动", "--task", "work-plan", "--attach", "-x.jpg",
        "--attach=--help.jpg",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [a["name"] for a in attachments(run)] == ["-x.jpg", "--help.jpg"]


def test_a_name_the_system_cannot_decode_is_kept_readable(
    run: Any, office: Path, tmp_path: Path
) -> None:
    gbk = os.fsdecode(os.fsencode(office) + b"/" + "照片".encode("gbk") + b".jpg")
    broken = os.fsdecode(os.fsencode(office) + b"/bad\xffname.jpg")
    Path(gbk).write_bytes(b"from a Windows USB stick")
    Path(broken).write_bytes(b"broken name")
    assert add(run, gbk, broken).exit_code == 0
    assert [a["name"] for a in attachments(run)] == ["照片.jpg", "bad\ufffdname.jpg"]
    assert stored_name("plain.jpg") == "plain.jpg"


def test_dot_dot_in_the_path_reads_the_file_and_writes_only_to_the_store(
    run: Any, office: Path, tmp_path: Path
) -> None:
    (office / "sub").mkdir()
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"outside")
    before = files_outside_the_store(tmp_path)
    result = add(run, str(office / "sub" / ".." / ".." / "outside.jpg"))
    assert result.exit_code == 0, result.stderr
    (attachment,) = attachments(run)
    assert attachment["name"] == "outside.jpg"
    assert Path(attachment["path"]).parent.parent == tmp_path / "wmcj-files"
    assert files_outside_the_store(tmp_path) == before
    assert outside.read_bytes() == b"outside"


@pytest.mark.parametrize("name", ["../../outside.jpg", "/etc/passwd", "..", "*"])
def test_detach_names_cannot_reach_outside(run: Any, office: Path, name: str) -> None:
    (office / "in.jpg").write_bytes(b"in")
    assert add(run, str(office / "in.jpg")).exit_code == 0
    result = run("activity", "edit", "1", "--detach", name)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: activity #1 has no attachment")


@given(st.text(max_size=300))
def test_the_store_path_stays_in_the_store_whatever_the_name(name: str) -> None:
    root = Path("/store")
    sha256 = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    path = Store(root).path(sha256, name)
    assert path.parent == root / sha256[:2]
    assert re.fullmatch(STORED, path.name)


@pytest.mark.parametrize("sha256", ["../../../../etc/passwd", "a" * 63, "A" * 64, ""])
def test_the_store_refuses_a_hash_that_is_not_one(sha256: str) -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        Store(Path("/store")).path(sha256, "x.jpg")


# -- links, devices, big files ---------------------------------------------------------------


def test_a_link_is_followed_and_the_file_copied(run: Any, office: Path) -> None:
    real = office / "原图.jpg"
    real.write_bytes(b"the real photo")
    link = office / "快捷方式.jpg"
    link.symlink_to(real)
    assert add(run, str(link)).exit_code == 0
    (attachment,) = attachments(run)
    assert attachment["name"] == "快捷方式.jpg"
    stored = Path(attachment["path"])
    assert not stored.is_symlink() and stored.read_bytes() == b"the real photo"
    # The record keeps the bytes, whatever later happens to the link or its file.
    real.write_bytes(b"edited afterwards")
    link.unlink()
    assert stored.read_bytes() == b"the real photo"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        ("dangling", "does not exist; check the path"),
        ("folder", "is a folder, not a file; attach the files in it one by one"),
        ("fifo", "is not an ordinary file; attach a saved file"),
    ],
)
def test_links_to_nothing_folders_and_pipes_are_refused(
    run: Any, office: Path, make: str, says: str
) -> None:
    path = office / "thing.jpg"
    if make == "dangling":
        path.symlink_to(office / "gone.jpg")
    elif make == "folder":
        (office / "照片").mkdir()
        path.symlink_to(office / "照片")
    else:
        os.mkfifo(path)
    result = add(run, str(path))
    assert result.exit_code == 2
    assert result.stderr == f"error: attachment {path} {says}\n"
    assert attachments(run) == []


def test_a_device_is_refused(run: Any, office: Path) -> None:
    result = add(run, "/dev/zero")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: attachment /dev/zero is not an ordinary file; attach a saved file\n",
    )


def test_a_file_over_the_limit_is_refused_before_anything_is_read(
    run: Any, office: Path, tmp_path: Path
) -> None:
    video = office / "全程录像.mp4"
    with video.open("wb") as out:
        out.truncate(5 * 1024**3)  # sparse: takes no disk space
    result = add(run, str(video))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: attachment {video} is 5.0 GB; files over {MAX_BYTES // 1024**3} GB are not kept"
        " — compress or split it, or keep it elsewhere and say where in --note\n"
    )
    assert not (tmp_path / "wmcj-files").exists() or not any((tmp_path / "wmcj-files").iterdir())


MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.stderr)
"""


def peak_kib(db: Path, attachment: Path) -> int:
    """The peak memory (KiB) of a real ``wmcj activity add`` attaching the file."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, WMCJ, "activity", "add", "录像", "--task", "work-plan",
         "--attach", str(attachment)],
        env={**os.environ, "WMCJ_DB": str(db)}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    code, peak, *error = done.stdout.split(" ", 2)
    assert code == "0", error
    return int(peak)


def test_a_big_file_is_streamed_not_read_into_memory(
    office: Path, db_path: Path, tmp_path: Path
) -> None:
    small = office / "small.mp4"
    small.write_bytes(b"tiny")
    big = office / "big.mp4"
    with big.open("wb") as out:
        out.truncate(128 * 1024**2)
        out.seek(64 * 1024**2)
        out.write(b"middle")
    baseline = peak_kib(db_path, small)
    streamed = peak_kib(db_path, big)
    assert streamed - baseline < 48 * 1024, (baseline, streamed)
    stored = tmp_path / "wmcj-files"
    digest = hashlib.sha256()
    with big.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    assert (stored / digest.hexdigest()[:2] / f"{digest.hexdigest()}.mp4").stat().st_size == (
        128 * 1024**2
    )
