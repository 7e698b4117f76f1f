"""Alembic's entry point: run the migrations on the connection wmcj hands over.

:mod:`wmcj.db` passes an open connection, already inside its write transaction, in
``config.attributes["connection"]``; Alembic then runs every step in that one
transaction, so an upgrade is applied whole or not at all. Run by hand
(``python -m wmcj.migrations …``) it opens the database named by ``WMCJ_DB``.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

from wmcj import models  # noqa: F401  (fills SQLModel.metadata, for --autogenerate)

config = context.config


def run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite alters most things by copying the table: let autogenerate write it so.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_by_hand() -> None:
    from sqlalchemy import create_engine

    from wmcj.db import resolve_url

    engine = create_engine(resolve_url(None))
    with engine.begin() as connection:
        run(connection)
    engine.dispose()


if context.is_offline_mode():
    from wmcj.db import resolve_url

    context.configure(url=resolve_url(None), target_metadata=SQLModel.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run(config.attributes["connection"])
else:
    run_by_hand()
