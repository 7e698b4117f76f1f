"""The plan's calendar: named days, literal dates in ``on`` lists, and explicit due dates."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Plan

#: Within one date: named days first, then literal dates, then deadlines.
_ORDER = {"day": 0, "date": 1, "due": 2}


def calendar_entries(
    *, session: Session, plan: Plan, first: date | None = None, last: date | None = None
) -> list[dict[str, Any]]:
    """Every dated thing of the plan in date order, each with the live tasks hanging on it.

    ``first``/``last`` keep the entries that touch that range (a span counts if it
    overlaps it).
    """
    from sqlmodel import select

    from wmcj.models import NamedDay, Task

    days = session.exec(select(NamedDay).where(NamedDay.plan_id == plan.id)).all()
    tasks = session.exec(
        select(Task)
        .where(Task.plan_id == plan.id, Task.retired == False)  # noqa: E712
        .order_by(Task.area_id, Task.position)
    ).all()
    hanging: dict[str, list[str]] = {}
    for task in tasks:
        for ref in task.on or ():
            hanging.setdefault(ref, []).append(task.key)

    entries: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def add(kind: str, key: str, entry: dict[str, Any]) -> None:
        entries.append(((entry["date"], _ORDER[kind], key), entry))

    for day in days:
        add(
            "day",
            day.key,
            {
                "date": day.date,
                "until": day.until,
                "what": day.key,
                "name": day.name,
                "tasks": hanging.get(day.key, []),
            },
        )
    known = {d.key for d in days}
    for ref, keys in hanging.items():
        if ref not in known:
            add(
                "date",
                ref,
                {
                    "date": date.fromisoformat(ref),
                    "until": None,
                    "what": "date",
                    "name": ref,
                    "tasks": keys,
                },
            )
    for task in tasks:
        if task.due is not None:
            add(
                "due",
                task.key,
                {
                    "date": task.due,
                    "until": None,
                    "what": "due",
                    "name": task.title,
                    "tasks": [task.key],
                },
            )
    entries.sort(key=lambda pair: pair[0])
    result = []
    for _key, entry in entries:
        end = entry["until"] or entry["date"]
        if first is not None and end < first:
            continue
        if last is not None and entry["date"] > last:
            continue
        result.append(entry)
    return result
