"""Schema migrations (Alembic), shipped inside the package as mlflow does for its SQLite store.

wmcj applies them itself when it opens an older database (see :mod:`wmcj.db`); nobody
runs ``alembic upgrade`` by hand. To add a revision during development:

1. change :mod:`wmcj.models`, set ``SCHEMA_REVISION`` to the new id and append it to
   ``SCHEMA_REVISIONS``;
2. ``WMCJ_DB=/tmp/old.db python -m wmcj.migrations revision --rev-id 0003 -m "what changed"``
   (``--autogenerate`` compares the models with that database, which must be at the head);
3. write ``upgrade()`` in the new file (no ``downgrade``: users go forward, or back to a
   backup).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config


def config(connection: Any = None) -> Config:
    """An Alembic configuration pointing at these migrations, with no ``alembic.ini``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "wmcj:migrations")
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def main(argv: list[str] | None = None) -> None:
    """``python -m wmcj.migrations …``: Alembic's own command line, on these migrations."""
    from alembic.config import CommandLine

    cli = CommandLine(prog="python -m wmcj.migrations")
    options = cli.parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    cli.run_cmd(config(), options)
