"""Progress is counted from an index that holds every column it needs.

``ix_activity_plan_tally`` (plan, date, photos, files, note length) replaces
``ix_activity_plan_date`` (plan, date), whose columns it begins with: the tallies of
``wmcj report`` walk a plan's activities in date order and read the evidence figures
from the index alone, never the activity rows with their titles and notes. At a
million activities that is a few hundred index pages instead of most of the file.

Revision ID: 0003
Revises: 0002
Create Date: 2019-03-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_activity_plan_tally", "activity", ["plan_id", "date", "photos", "files", "note_chars"]
    )
    op.drop_index("ix_activity_plan_date", table_name="activity")


def downgrade() -> None:
    # wmcj only goes forward; an older program refuses a newer database.
    raise NotImplementedError("restore the backup taken before the upgrade instead")
