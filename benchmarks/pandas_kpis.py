"""The SPEC §3 KPIs per rep in straightforward pandas: read the columns needed, flag rows, group twice.

Counts the rows of the default window (expiring by the end of the calendar quarter holding the as-of date), each
won or lost as of that date only when it closed on or before it.

    python benchmarks/pandas_kpis.py FILE --style canonical|salesforce --as-of 2026-11-25 [--output PATH]

Assumes a clean export (as `renewals sample` writes): unlike `renewals`, it validates nothing and rejects no row.
"""

import re
import sys

import numpy as np
import pandas as pd
from common import DATES, HEADERS, KPI_COLUMNS, LOST, MONEY, US_DATE, WON, arguments


def read(path: str, style: str) -> pd.DataFrame:
    """The canonical columns the per-rep KPIs need, typed: dates as datetime64, money as float."""
    headers = HEADERS[style]
    renamed = {header: name for name, header in headers.items()}
    if path.endswith(".parquet"):
        frame = pd.read_parquet(path, columns=list(headers.values())).rename(columns=renamed)
        for name in DATES:
            frame[name] = pd.to_datetime(frame[name])
        return frame
    # Ids stay text: `0015e0000000129`, a Salesforce account id, would otherwise read as the float 15e129.
    text = {headers[name]: str for name in ("account_id", "rep", "status")}
    if style == "canonical":
        frame = pd.read_csv(path, usecols=list(headers.values()), dtype=text, parse_dates=list(DATES))
        return frame.rename(columns=renamed)
    frame = pd.read_csv(path, usecols=list(headers.values()), dtype=text).rename(columns=renamed)
    for name in DATES:
        frame[name] = pd.to_datetime(frame[name], format=US_DATE)
    for name in MONEY:
        frame[name] = frame[name].str.replace(r"[$,]", "", regex=True).astype(float)
    return frame


def statuses(labels: pd.Series) -> pd.Series:
    """won / lost / open, matching labels case-, space- and punctuation-insensitively (folding each distinct
    label once)."""
    folded = {label: re.sub(r"[\W_]+", "", str(label).casefold()) for label in labels.dropna().unique()}
    meaning = {label: "won" if f in WON else "lost" if f in LOST else "open" for label, f in folded.items()}
    return labels.map(meaning)


def kpis(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    frame = frame[frame["expiry_date"] <= as_of + pd.offsets.QuarterEnd(0)]
    status = statuses(frame["status"])
    expiry, close = frame["expiry_date"], frame["close_date"]
    prior, renewal = frame["prior_amount"], frame["renewal_amount"]
    closed = close <= as_of  # a row closed after the as-of date was still open then
    won, lost = (status == "won") & closed, (status == "lost") & closed
    open_ = ~(won | lost)
    due = expiry <= as_of
    at_stake = won | lost | due
    quarter_end = expiry + pd.offsets.QuarterEnd(0)
    rows = pd.DataFrame(
        {
            "rep": frame["rep"],
            "account_id": frame["account_id"],
            "opportunities": 1,
            "won": won,
            "lost": lost,
            "open": open_,
            "due": due,
            "past_due": open_ & (expiry < as_of),
            "on_time": won & due & (close <= expiry),
            "in_quarter": won & (close <= quarter_end),
            "last_at_stake": expiry.where(at_stake),
            "last_won": expiry.where(won),
            "available": prior,
            "prior_won": prior.where(won, 0.0),
            "prior_lost": prior.where(lost, 0.0),
            "prior_at_stake": prior.where(at_stake, 0.0),
            "renewal_won": renewal.where(won, 0.0),
            "retained_won": np.minimum(renewal, prior).where(won, 0.0),
        }
    )
    latest = ("last_at_stake", "last_won")
    summed = {name: "sum" for name in rows.columns if name not in ("rep", "account_id", *latest)}
    accounts = rows.groupby(["rep", "account_id"], sort=False).agg(summed | dict.fromkeys(latest, "max"))
    # retained: the account's last renewal at stake (latest expiry among them) includes a won row, that is its
    # latest won expiry is its latest expiry at stake
    accounts["retained"] = accounts.pop("last_won") == accounts["last_at_stake"]
    accounts["counted"] = accounts.pop("last_at_stake").notna()
    growing = accounts["prior_won"] > 0
    accounts["growth"] = ((accounts["renewal_won"] - accounts["prior_won"]) / accounts["prior_won"]).where(growing)
    reps = accounts.groupby(level="rep").agg(
        **{name: (name, "sum") for name in accounts.columns if name not in ("growth",)},
        accounts=("opportunities", "size"),
        value_growth=("growth", "mean"),
    )

    def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
        return numerator / denominator.where(denominator != 0)

    r = reps
    table = pd.DataFrame(
        {
            "opportunities": r["opportunities"],
            "accounts": r["accounts"],
            "available": r["available"],
            "won": r["won"],
            "lost": r["lost"],
            "open": r["open"],
            "resolution_rate": ratio(r["won"] + r["lost"], r["opportunities"]),
            "close_rate": ratio(r["won"], r["won"] + r["lost"]),
            "resolution_rate_value": ratio(r["prior_won"] + r["prior_lost"], r["available"]),
            "close_rate_value": ratio(r["prior_won"], r["prior_won"] + r["prior_lost"]),
            "conversion_rate": ratio(r["renewal_won"], r["prior_won"]),
            "uplift": ratio(r["renewal_won"], r["prior_won"]) - 1,
            "renewal_rate": ratio(r["renewal_won"], r["available"]),
            "due": r["due"],
            "past_due": r["past_due"],
            "otrr": ratio(r["on_time"], r["due"]),
            "iqrr": ratio(r["in_quarter"], r["opportunities"]),
            "retention_rate": ratio(r["retained"], r["counted"]),
            "grr": ratio(r["retained_won"], r["prior_at_stake"]),
            "nrr": ratio(r["renewal_won"], r["prior_at_stake"]),
            "value_growth": r["value_growth"],
            "churned_value": r["prior_lost"],
        },
        columns=list(KPI_COLUMNS),
    )
    return table.sort_index()


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    table = kpis(read(args.file, args.style), pd.Timestamp(args.as_of))
    table.to_csv(sys.stdout if args.output == "-" else args.output)


if __name__ == "__main__":
    main()
