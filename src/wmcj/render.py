"""Turning results into text people read: Rich tables on a terminal, JSON, CSV, Markdown.

Services hand over plain data; only this module (and the CLI) know about Rich.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a listing: the key in each row, the heading people see."""

    key: str
    heading: str
    justify: str = "left"
    no_wrap: bool = False
    max_width: int | None = None


def colour_allowed(file: Any = None) -> bool:
    """Colour on a terminal only, and never with ``NO_COLOR`` set."""
    stream = file if file is not None else sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def console(file: Any = None) -> Console:
    """A Rich console: styled on a terminal; plain, uncut text anywhere else."""
    from rich.console import Console

    stream = file if file is not None else sys.stdout
    if colour_allowed(stream):
        return Console(file=stream, highlight=False)
    return Console(
        file=stream,
        highlight=False,
        no_color=True,
        color_system=None,
        force_terminal=False,
        width=plain_width(),
        emoji=False,
        markup=True,
        soft_wrap=False,
    )


def plain_width() -> int:
    """The width of plain output (not a terminal): wide enough that nothing is cut short."""
    return int(os.environ.get("COLUMNS", "0") or 0) or 120


def jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def to_json(data: Any) -> str:
    return json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(cell_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> str:
    """CSV for Excel: a BOM so Chinese shows correctly, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in columns])
    for row in rows:
        writer.writerow([cell_text(row.get(c.key)) for c in columns])
    return "\ufeff" + buffer.getvalue()


def md_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")
    )


def to_markdown(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(md_escape(c.heading) for c in columns) + " |",
        "| " + " | ".join("---:" if c.justify == "right" else "---" for c in columns) + " |",
    ]
    for row in rows:
        lines.append(
            "| " + " | ".join(md_escape(cell_text(row.get(c.key))) for c in columns) + " |"
        )
    return "\n".join(lines) + "\n"


def rich_table(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    title: str | None = None,
    style: Callable[[dict[str, Any]], str | None] | None = None,
) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for c in columns:
        table.add_column(
            c.heading, justify=c.justify, no_wrap=c.no_wrap, max_width=c.max_width, overflow="fold"
        )
    for row in rows:
        table.add_row(
            *(cell_text(row.get(c.key)) for c in columns), style=style(row) if style else None
        )
    return table


def file_size(size: int) -> str:
    """A file size people read: 980 B, 12.3 KB, 4.5 MB."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def write_out(text: str, out: Path, *, binary: bytes | None = None) -> None:
    """Write ``out`` atomically: a temporary file beside it, renamed into place."""
    from wmcj.errors import RuntimeFailure
    from wmcj.i18n import _

    out = out.expanduser()
    folder = out.parent if str(out.parent) else Path()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(binary if binary is not None else text.encode("utf-8"))
                stream.flush()
                os.fsync(stream.fileno())
            Path(temp).replace(out)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc)
        ) from None


def emit(text: str, out: Path | None) -> None:
    """Print text, or write it to ``--out``."""
    if out is not None:
        write_out(text, out)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def emit_listing(
    columns: Sequence[Column],
    rows: list[dict[str, Any]],
    fmt: str,
    out: Path | None,
    *,
    data: Any = None,
    title: str | None = None,
    style: Callable[[dict[str, Any]], str | None] | None = None,
) -> None:
    """One listing in any of the four formats; ``data`` overrides what JSON shows."""
    if fmt == "json":
        emit(to_json(rows if data is None else data), out)
    elif fmt == "csv":
        emit(to_csv(columns, rows), out)
    elif fmt == "markdown":
        head = f"## {md_escape(title)}\n\n" if title else ""
        emit(head + to_markdown(columns, rows), out)
    else:
        table = rich_table(columns, rows, title=title, style=style)
        if out is not None:
            emit(render_text(table), out)
        else:
            console().print(table)


def render_text(renderable: Any, width: int = 120) -> str:
    """A Rich renderable as plain text (for files and mail)."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, color_system=None, emoji=False).print(
        renderable
    )
    return buffer.getvalue()
