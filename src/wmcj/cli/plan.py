"""``wmcj plan``: check, load, show and list plans."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wmcj.cli.common import FormatOption, OutOption, YearOption, database

app = typer.Typer(help="Load and inspect the yearly plan (方案).", no_args_is_help=True)

PlanFile = Annotated[Path, typer.Argument(help="The plan file (YAML).", show_default=False)]


@app.command("check")
def plan_check(file: PlanFile) -> None:
    """Validate a plan file; print every problem as FILE:LINE:COLUMN: message.

    Example: wmcj plan check plans/2018.yaml
    """
    from wmcj.i18n import _
    from wmcj.planfile import read_plan

    spec = read_plan(file)
    tasks = sum(len(a.tasks) for a in spec.areas)
    print(
        _("{file}: valid — plan {year}, {areas} areas, {tasks} tasks").format(
            file=file, year=spec.year, areas=len(spec.areas), tasks=tasks
        )
    )


@app.command("load")
def plan_load(
    ctx: typer.Context,
    file: PlanFile,
    retire: Annotated[
        bool,
        typer.Option(
            "--retire",
            help="Keep tasks that left the file but have activities or a done mark, as retired.",
        ),
    ] = False,
) -> None:
    """Validate a plan file and load it (a plan is matched by its year, tasks by id).

    Example: wmcj plan load plans/2018.yaml
    """
    from wmcj.planfile import read_plan
    from wmcj.plans import load_plan

    spec = read_plan(file)
    with database(ctx).write() as session:
        result = load_plan(session=session, spec=spec, source=str(file), retire=retire)
    print(describe_load(result), end="")


def describe_load(result: object) -> str:
    from wmcj.i18n import _
    from wmcj.plans import LoadResult

    assert isinstance(result, LoadResult)
    if not result.changed:
        return _("plan {year}: no changes").format(year=result.year) + "\n"
    if result.created:
        head = _("plan {year} loaded: {areas} areas, {tasks} tasks").format(
            year=result.year, areas=len(result.areas_added), tasks=len(result.tasks_added)
        )
        return head + "\n"
    lines = [_("plan {year} updated:").format(year=result.year)]
    groups = (
        (_("plan fields changed"), result.plan_changed),
        (_("areas added"), result.areas_added),
        (_("areas changed"), result.areas_changed),
        (_("areas removed"), result.areas_removed),
        (_("areas retired"), result.areas_retired),
        (_("tasks added"), result.tasks_added),
        (_("tasks changed"), result.tasks_changed),
        (_("tasks removed"), result.tasks_removed),
        (_("tasks retired"), result.tasks_retired),
    )
    for label, keys in groups:
        if keys:
            lines.append(f"  {label} ({len(keys)}): {', '.join(keys)}")
    if result.days_changed:
        lines.append("  " + _("named days changed"))
    return "\n".join(lines) + "\n"


@app.command("show")
def plan_show(
    ctx: typer.Context,
    year: YearOption = None,
    fmt: FormatOption = "table",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """Show a loaded plan: its goal, areas and tasks with owners and schedules.

    Example: wmcj plan show --year 2018
    """
    from wmcj.plans import plan_outline
    from wmcj.render import emit, to_json
    from wmcj.views import plan_outline_markdown, print_plan_outline

    with database(ctx).read() as session:
        outline = plan_outline(session=session, year=year)
    fmt_value = getattr(fmt, "value", fmt)
    if fmt_value == "json":
        emit(to_json(outline), out)
    elif fmt_value in ("markdown", "csv"):
        emit(plan_outline_markdown(outline, csv=fmt_value == "csv"), out)
    else:
        print_plan_outline(outline, out)


@app.command("list")
def plan_list(
    ctx: typer.Context,
    fmt: FormatOption = "table",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """List the loaded plans.

    Example: wmcj plan list
    """
    from wmcj.i18n import _
    from wmcj.plans import list_plans
    from wmcj.render import Column, emit_listing

    with database(ctx).read() as session:
        rows = list_plans(session=session)
    columns = [
        Column("year", _("Year"), no_wrap=True),
        Column("unit", _("Unit")),
        Column("title", _("Title")),
        Column("areas", _("Areas"), justify="right"),
        Column("tasks", _("Tasks"), justify="right"),
        Column("activities", _("Activities"), justify="right"),
        Column("loaded_at", _("Loaded")),
    ]
    emit_listing(columns, rows, getattr(fmt, "value", fmt), out)
