"""Tags keep the order they were typed in; activities can be found by date across plans.

``activity_tag.position`` numbers an activity's tags from 0. Tags recorded before
were shown sorted, so they are numbered in that order and read back the same.
``ix_activity_date`` serves ``activity list --from/--to``, which spans plan years.

Revision ID: 0002
Revises: 0001
Create Date: 2019-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "activity_tag",
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE activity_tag SET position = ("
        " SELECT COUNT(*) FROM activity_tag AS other"
        " WHERE other.activity_id = activity_tag.activity_id AND other.tag < activity_tag.tag)"
    )
    op.create_index("ix_activity_date", "activity", ["date"])


def downgrade() -> None:
    raise NotImplementedError("restore the backup taken before the upgrade instead")
