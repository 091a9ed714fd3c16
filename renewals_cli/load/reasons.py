"""Why a row is rejected, as a bit set: cheap to compute on every row, spelled out only for rejected ones.

A row's `reject_code` has bit i set when REASONS[i] applies (0: the row is not rejected). Its text is the
reasons joined by `; `, in REASONS order.
"""

from collections.abc import Iterable, Mapping

import polars as pl

REASONS: tuple[str, ...] = (
    "missing account_id",
    "missing rep",
    "missing expiry_date",
    "invalid expiry_date",
    "missing prior_amount",
    "invalid prior_amount",
    "negative prior_amount",
    "missing status",
    "won without renewal_amount",
    "invalid renewal_amount",
    "negative renewal_amount",
    "won/lost without close_date",
    "invalid close_date",
    "invalid start_date",
    "invalid arr",
    "negative arr",
    "invalid strategic",
    "more fields than the header",
    "duplicate opportunity_id",
)

CODE = pl.UInt32()


def bit(reason: str) -> int:
    """The bit of one reason."""
    return 1 << REASONS.index(reason)


def reject_code(checks: Iterable[tuple[pl.Expr, str]]) -> pl.Expr:
    """The code of a row from (condition, reason) pairs; a null condition does not apply."""
    return pl.sum_horizontal(
        pl.when(condition).then(pl.lit(bit(reason), dtype=CODE)).otherwise(pl.lit(0, dtype=CODE))
        for condition, reason in checks
    ).cast(CODE)


def reject_reason(code: pl.Expr) -> pl.Expr:
    """The text of a code: its reasons joined by `; `; null for 0."""
    parts = [pl.when((code & bit(reason)) != 0).then(pl.lit(reason)) for reason in REASONS]
    return pl.when(code != 0).then(pl.concat_str(parts, separator="; ", ignore_nulls=True))


def count_reasons(codes: Mapping[int, int]) -> dict[str, int]:
    """How many rows give each reason, most frequent first, from how many rows have each code."""
    counts = dict.fromkeys(REASONS, 0)
    for code, n in codes.items():
        for i, reason in enumerate(REASONS):
            if code & (1 << i):
                counts[reason] += int(n)
    return dict(sorted(((r, n) for r, n in counts.items() if n), key=lambda item: (-item[1], item[0])))
