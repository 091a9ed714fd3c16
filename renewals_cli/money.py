"""Money summed exactly: amounts as whole millionths (micros), so that the same export gives the same sums, to the
last digit, on every run (a float sum depends on the order threads add rows in)."""

import polars as pl

MICROS = 10**6  # millionths to a unit of money
MONEY = pl.Int128()  # a sum of micros (an Int64 would overflow at $9 trillion)


def micros(amount: pl.Expr) -> pl.Expr:
    """An amount as a whole number of millionths, ready to be summed exactly."""
    return (amount * MICROS).round().cast(MONEY, strict=False)  # (null where a rejected row's amount is enormous)


def amount_if(condition: pl.Expr, amount: pl.Expr) -> pl.Expr:
    """The amount (in micros) where the condition holds, else 0."""
    return pl.when(condition).then(amount).otherwise(pl.lit(0, dtype=MONEY))


def dollars(amount_in_micros: pl.Expr) -> pl.Expr:
    """Millionths back to an amount: the float nearest the exact value (dividing the integer as a decimal, since
    Polars divides a float by a number as a multiplication by its inverse, a digit off for a third of amounts)."""
    millionth = pl.lit("0.000001").cast(pl.Decimal(38, 6))
    return (amount_in_micros.cast(pl.Decimal(38, 0)) * millionth).cast(pl.Float64)
