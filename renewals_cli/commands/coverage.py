"""`renewals coverage`: cost to serve and CSM coverage per segment or per CSM (SPEC §6)."""

from pathlib import Path
from typing import Annotated, Literal

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import UsageError
from renewals_cli.names import HUMAN_FORMATS, Format

DEFAULT_TARGET = 0.15


@app.command(
    epilog=examples(
        "renewals coverage export.csv --csm-costs costs.csv",
        "renewals coverage export.csv --csm-costs costs.csv --by csm --format csv > csms.csv",
        "renewals coverage export.csv --target 0.12   # costs from \\[csm_costs] in renewals.toml",
    )
)
@o.shared_options
def coverage(
    files: o.Files,
    csm_costs: Annotated[
        Path | None,
        typer.Option(
            "--csm-costs", help="CSV with columns csm, annual_cost (or a \\[csm_costs] table in renewals.toml)."
        ),
    ] = None,
    by: Annotated[str, typer.Option(help="segment or csm.")] = "segment",
    target: Annotated[
        float | None, typer.Option(help=f"Cost-to-serve target as a fraction of ARR (default {DEFAULT_TARGET}).")
    ] = None,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    *,
    period: o.Period,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """Cost to serve (CSM cost / ARR) against a target per segment or per CSM, and the lever that moves it."""
    import polars as pl

    from renewals_cli import console
    from renewals_cli.config import check_fraction
    from renewals_cli.coverage import costs_from_mapping, csm_coverage, load_costs
    from renewals_cli.present.coverage import coverage_document
    from renewals_cli.render import render
    from renewals_cli.segments import account_segments
    from renewals_cli.window import within

    if by not in ("segment", "csm"):
        raise UsageError(f"--by {by}: expected segment or csm")
    grouping: Literal["segment", "csm"] = "segment" if by == "segment" else "csm"
    fmt, settings = common.prepare([*files, csm_costs], reading, fmt, output)
    window = common.window(settings, period)
    thresholds = common.thresholds(settings, tiers)
    chosen = check_fraction("--target", target) if target is not None else settings.coverage_target
    goal = chosen if chosen is not None else DEFAULT_TARGET
    if csm_costs is not None:
        costs = load_costs(csm_costs, decimal_comma=bool(reading.decimal_comma))
    elif settings.csm_costs is not None:
        costs = costs_from_mapping(settings.csm_costs, source=f"{settings.source} [csm_costs]")
    else:
        raise UsageError("coverage needs --csm-costs COSTS.csv or a [csm_costs] table in renewals.toml")
    with console.working("Reading the export…"):
        export = common.load_with(settings, files, reading)
        export.require("csm", "coverage assigns each account to a CSM")

        def queries(rows: pl.LazyFrame) -> list[pl.LazyFrame]:
            inside = rows.filter(within(window))
            return [inside.select("account_id", "expiry_date", "csm"), account_segments(inside, thresholds)]

        accounting, (rows, accounts) = export.read(queries)
        result = csm_coverage(rows.lazy(), accounts.lazy(), costs, by=grouping, target=goal)
    common.check_accepted(export, accounting)
    common.check_rows(export, accounting, reading.rejects, reading.strict, tell=fmt is not Format.json)
    human = fmt in HUMAN_FORMATS
    common.deliver(render(coverage_document(result, accounting, window, grouping, goal, headline=human), fmt), output)
