"""The SPEC §3 KPIs per rep in plain Polars: what Polars itself needs to compute them, validating nothing.

    python benchmarks/polars_kpis.py FILE --style canonical|salesforce --as-of 2026-11-25 [--output PATH]

One lazy query on the streaming engine: the CSV reader types the columns it can (ISO dates, plain amounts), the
rows of the default window (expiring by the end of the calendar quarter holding the as-of date) are flagged as of
that date, summed per (rep, account) and then per rep. Assumes a clean export (as `renewals sample`
writes): unlike `renewals`, it validates nothing and rejects no row. It is the lower bound of the contenders
written with the tool's own stack: `renewals` adds to it the reading of every column as text, detection over
every row, the row checks and reasons, and exact money.
"""

import datetime as dt
import re
import sys

import polars as pl
from common import DATES, HEADERS, KPI_COLUMNS, LOST, MONEY, US_DATE, WON, arguments


def read(path: str, style: str) -> pl.LazyFrame:
    """The canonical columns the per-rep KPIs need, typed: dates as Date, money as Float64."""
    headers = HEADERS[style]
    renamed = {header: name for name, header in headers.items()}
    if path.endswith(".parquet"):
        return pl.scan_parquet(path).select(pl.col(header).alias(name) for name, header in headers.items())
    if style == "canonical":
        types = {headers[name]: pl.Date for name in DATES} | {headers[name]: pl.Float64 for name in MONEY}
        rows = pl.scan_csv(path, infer_schema=False, schema_overrides=types)
        return rows.select(list(headers.values())).rename(renamed)
    rows = pl.scan_csv(path, infer_schema=False).select(list(headers.values())).rename(renamed)
    return rows.with_columns(
        *(pl.col(name).str.to_date(US_DATE) for name in DATES),
        *(pl.col(name).str.replace_all(r"[$,]", "").cast(pl.Float64) for name in MONEY),
    )


def status(label: pl.Expr) -> pl.Expr:
    """won / lost / open, labels folded case-, space- and punctuation-insensitively; anything else is open. A
    column has few distinct labels: each batch of rows folds its own once, not once a row."""

    def meanings(labels: pl.Series) -> pl.Series:
        folded = {label: re.sub(r"[\W_]+", "", label.casefold()) for label in labels.drop_nulls().unique()}
        meaning = {label: "won" if f in WON else "lost" if f in LOST else "open" for label, f in folded.items()}
        return labels.replace_strict(meaning, default="open", return_dtype=pl.String)

    return label.map_batches(meanings, return_dtype=pl.String, is_elementwise=True)


def quarter(date: pl.Expr) -> pl.Expr:
    return date.dt.year().cast(pl.Int32) * 4 + date.dt.quarter().cast(pl.Int32)


def quarter_end(day: dt.date) -> dt.date:
    """The last day of the calendar quarter holding `day`."""
    last_month = (day.month - 1) // 3 * 3 + 3
    return dt.date(day.year + last_month // 12, last_month % 12 + 1, 1) - dt.timedelta(days=1)


def kpis(rows: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    c = pl.col
    rows = rows.filter(c("expiry_date") <= quarter_end(as_of)).with_columns(status=status(c("status")))
    expiry, close, prior, renewal = c("expiry_date"), c("close_date"), c("prior_amount"), c("renewal_amount")
    # won or lost as of the as-of date: closed on or before it; anything else is still open then
    won = (c("status") == "won") & (close <= as_of)
    lost = (c("status") == "lost") & (close <= as_of)
    open_ = ~(won | lost)
    due = expiry <= as_of
    at_stake = won | lost | due

    def when(condition: pl.Expr, amount: pl.Expr) -> pl.Expr:
        return pl.when(condition).then(amount).otherwise(0.0)

    flags = {
        "won": won,
        "lost": lost,
        "open": open_,
        "due": due,
        "past_due": open_ & (expiry < as_of),
        "on_time": won & due & (close <= expiry),
        "in_quarter": won & (quarter(close) <= quarter(expiry)),
        "available": prior,
        "prior_won": when(won, prior),
        "prior_lost": when(lost, prior),
        "prior_at_stake": when(at_stake, prior),
        "renewal_won": when(won, renewal),
        "retained_won": when(won, pl.min_horizontal(renewal, prior)),
    }
    accounts = rows.group_by("rep", "account_id").agg(
        pl.len().alias("opportunities"),
        *(v.sum().alias(k) for k, v in flags.items()),
        last_at_stake=pl.when(at_stake).then(expiry).max(),
        last_won=pl.when(won).then(expiry).max(),
    )
    growth = pl.when(c("prior_won") > 0).then((c("renewal_won") - c("prior_won")) / c("prior_won"))
    r = accounts.group_by("rep").agg(
        pl.all().exclude("account_id", "last_at_stake", "last_won").sum(),
        accounts=pl.len(),
        # retained: the account's last renewal at stake (latest expiry among them) includes a won row, that is its
        # latest won expiry is its latest expiry at stake
        retained=(c("last_won") == c("last_at_stake")).sum(),
        counted=c("last_at_stake").is_not_null().sum(),
        value_growth=growth.mean(),
    )

    def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
        return pl.when(denominator != 0).then(numerator / denominator)

    table = {
        "opportunities": c("opportunities"),
        "accounts": c("accounts"),
        "available": c("available"),
        "won": c("won"),
        "lost": c("lost"),
        "open": c("open"),
        "resolution_rate": ratio(c("won") + c("lost"), c("opportunities")),
        "close_rate": ratio(c("won"), c("won") + c("lost")),
        "resolution_rate_value": ratio(c("prior_won") + c("prior_lost"), c("available")),
        "close_rate_value": ratio(c("prior_won"), c("prior_won") + c("prior_lost")),
        "conversion_rate": ratio(c("renewal_won"), c("prior_won")),
        "uplift": ratio(c("renewal_won"), c("prior_won")) - 1,
        "renewal_rate": ratio(c("renewal_won"), c("available")),
        "due": c("due"),
        "past_due": c("past_due"),
        "otrr": ratio(c("on_time"), c("due")),
        "iqrr": ratio(c("in_quarter"), c("opportunities")),
        "retention_rate": ratio(c("retained"), c("counted")),
        "grr": ratio(c("retained_won"), c("prior_at_stake")),
        "nrr": ratio(c("renewal_won"), c("prior_at_stake")),
        "value_growth": c("value_growth"),
        "churned_value": c("prior_lost"),
    }
    return r.select("rep", **{name: table[name] for name in KPI_COLUMNS}).sort("rep")


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    table = kpis(read(args.file, args.style), args.as_of).collect(engine="streaming")
    table.write_csv(sys.stdout if args.output == "-" else args.output, float_precision=None)


if __name__ == "__main__":
    main()
