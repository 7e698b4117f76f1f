"""The database schema: what a plan asks for and what was done, as SQLModel tables.

Plans, areas, tasks and named days mirror the plan file (matched by their slugs
on reload); activities, their task links, tags, attachments and done marks are
the record of work and are never dropped by a reload.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

#: The Alembic revision of this schema (wmcj/migrations/versions); every migration bumps it.
#: Opening a database compares its stored revision with this string, without importing Alembic.
SCHEMA_REVISION = "0003"
#: Every revision, oldest first: a stored one listed here is upgraded, any other is refused.
SCHEMA_REVISIONS = ("0001", "0002", "0003")


class Plan(SQLModel, table=True):
    """One unit's yearly 创建工作方案, identified by its year."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    unit: str
    title: str
    target: str | None = None
    leader: str | None = None
    office: str | None = None
    ideology: str | None = None
    goal: str | None = None
    source: str | None = None
    loaded_at: dt.datetime | None = None


class NamedDay(SQLModel, table=True):
    """A named day resolved for the plan's year: a built-in or one of the plan's ``days``."""

    __tablename__ = "named_day"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    key: str
    name: str
    date: dt.date
    until: dt.date | None = None
    builtin: bool = True


class Area(SQLModel, table=True):
    """A 重点工作 (key-work) or 保障措施 (safeguard) of a plan."""

    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    key: str
    position: int
    kind: str = "key-work"
    title: str
    text: str | None = None
    owner: str | None = None
    retired: bool = False


class Task(SQLModel, table=True):
    """A concrete commitment of the plan; ``key`` is the id people type."""

    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    key: str
    position: int
    title: str
    text: str | None = None
    owner: str | None = None
    due: dt.date | None = None
    target: int = 1
    unit: str | None = None
    every: str | None = None
    start: dt.date | None = None
    on: list[str] | None = Field(default=None, sa_column=Column("on_days", JSON))
    window: int | None = None
    weight: float = 1.0
    evidence_photos: int | None = None
    evidence_words: int | None = None
    evidence_files: int | None = None
    retired: bool = False


class Activity(SQLModel, table=True):
    """One thing staff did, linked to the tasks it counts for.

    ``photos``, ``files`` and ``note_chars`` are kept with the row so the
    evidence rule can be checked in SQL without reading attachments.
    """

    __table_args__ = (
        # Progress tallies read these columns from the index alone (tracking.tallies).
        Index("ix_activity_plan_tally", "plan_id", "date", "photos", "files", "note_chars"),
        Index("ix_activity_date", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    date: dt.date
    title: str
    people: int | None = None
    who: list[str] | None = Field(default=None, sa_column=Column(JSON))
    hours: float | None = None
    place: str | None = None
    note: str | None = None
    photos: int = 0
    files: int = 0
    note_chars: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class ActivityTask(SQLModel, table=True):
    """Links an activity to a task it counts for."""

    __tablename__ = "activity_task"
    __table_args__ = (Index("ix_activity_task_task", "task_id", "activity_id"),)

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    task_id: int = Field(foreign_key="task.id", primary_key=True)


class ActivityTag(SQLModel, table=True):
    """A free tag on an activity (e.g. 志愿服务, 宣传); ``position`` keeps the order typed."""

    __tablename__ = "activity_tag"
    __table_args__ = (Index("ix_activity_tag_tag", "tag"),)

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    tag: str = Field(primary_key=True)
    position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Attachment(SQLModel, table=True):
    """A photo or file attached to an activity; the bytes live in the store by hash."""

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")
    position: int = 0
    sha256: str = Field(index=True)
    name: str
    media_type: str
    size: int
    photo: bool = False


class Completion(SQLModel, table=True):
    """A task marked done, with the day it was done."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", unique=True)
    date: dt.date
    note: str | None = None
    created_at: dt.datetime | None = None
