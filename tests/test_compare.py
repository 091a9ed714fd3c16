"""`report --compare`: each KPI beside its earlier value, and how a change reads on a terminal."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewals_cli.compare import ChangeCell, change_cell, compare, fell_below


def kpi_table(key: str, keys: list[str], **columns: list[object]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {key: pl.String(), "opportunities": pl.Int64(), "available": pl.Float64()}
    schema |= {"renewal_rate": pl.Float64(), "weakest_lever": pl.String()}
    schema = {name: dtype for name, dtype in schema.items() if name == key or name in columns}
    return pl.DataFrame({key: keys, **columns}, schema=schema)


def test_each_kpi_gets_its_previous_value_and_change_after_it() -> None:
    new = kpi_table(
        "rep",
        ["Ann", "Bob"],
        opportunities=[10, 4],
        available=[1000.0, 500.0],
        renewal_rate=[0.9, None],
        weakest_lever=["close_rate", "conversion_rate"],
    )
    old = kpi_table(
        "rep",
        ["Bob", "Ann"],
        opportunities=[6, 8],
        available=[450.0, 1200.5],
        renewal_rate=[0.5, 0.85],
        weakest_lever=["x", "y"],
    )
    expected = pl.DataFrame(
        {
            "rep": ["Ann", "Bob"],
            "opportunities": [10, 4],
            "opportunities_previous": [8, 6],
            "opportunities_change": [2, -2],
            "available": [1000.0, 500.0],
            "available_previous": [1200.5, 450.0],
            "available_change": [1000.0 - 1200.5, 50.0],
            "renewal_rate": [0.9, None],
            "renewal_rate_previous": [0.85, 0.5],
            "renewal_rate_change": [0.9 - 0.85, None],  # null when either is null
            "weakest_lever": ["close_rate", "conversion_rate"],  # the newer table's, beside nothing
        }
    )
    assert_frame_equal(compare(new, old, "rep"), expected)


def test_a_group_in_one_table_only_has_nulls_for_the_other() -> None:
    new = kpi_table(
        "segment", ["smb", "strategic"], opportunities=[3, 1], available=[30.0, 10.0], renewal_rate=[1.0, 0.0]
    )
    old = kpi_table(
        "segment", ["enterprise", "smb"], opportunities=[2, 5], available=[20.0, 50.0], renewal_rate=[0.5, 0.2]
    )
    table = compare(new, old, "segment")
    assert table["segment"].to_list() == ["strategic", "enterprise", "smb"]  # tier order
    assert table.select("opportunities", "opportunities_previous", "opportunities_change").rows() == [
        (1, None, None),
        (None, 2, None),
        (3, 5, -2),
    ]


def test_overall_is_keyed_by_group() -> None:
    new = pl.DataFrame({"group": ["all"], "opportunities": [5], "renewal_rate": [0.6]})
    old = pl.DataFrame({"group": ["all"], "opportunities": [7], "renewal_rate": [0.5]})
    table = compare(new, old, "overall")
    assert table.columns == [
        "group", "opportunities", "opportunities_previous", "opportunities_change",
        "renewal_rate", "renewal_rate_previous", "renewal_rate_change",
    ]  # fmt: skip
    assert table.row(0) == ("all", 5, 7, -2, 0.6, 0.5, pytest.approx(0.1))


def test_unsigned_counts_can_fall() -> None:
    new = pl.DataFrame({"group": ["all"], "won": [1]}, schema={"group": pl.String, "won": pl.UInt32})
    old = pl.DataFrame({"group": ["all"], "won": [3]}, schema={"group": pl.String, "won": pl.UInt32})
    assert compare(new, old, "overall")["won_change"].to_list() == [-2]


@pytest.mark.parametrize(
    ("kpi", "change", "text"),
    [
        ("renewal_rate", 0.021, "▲ 2.1 pts"),
        ("close_rate", -0.004, "▼ 0.4 pts"),
        ("grr", 0.0004, "="),  # 0.04 points: nothing at one decimal
        ("nrr", 0.0, "="),
        ("uplift", -0.1234, "▼ 12.3 pts"),
        ("opportunities", 3, "+3"),
        ("past_due", -12, "-12"),
        ("won", 0, "="),
        ("available", 1250.4, "+1,250"),
        ("churned_value", -98765.5, "-98,766"),
        ("available", 0.3, "="),
        ("otrr", None, "—"),
    ],
)
def test_change_cells(kpi: str, change: float | None, text: str) -> None:
    assert change_cell(kpi, change) == ChangeCell(text, below_target=False)


def test_a_change_that_fell_below_target_is_flagged() -> None:
    assert change_cell("grr", -0.05, below_target=fell_below(0.82, 0.87, 0.85)) == ChangeCell("▼ 5.0 pts", True)
    assert fell_below(0.82, 0.87, 0.85)
    assert not fell_below(0.82, 0.84, 0.85)  # already below
    assert not fell_below(0.86, 0.90, 0.85)  # still above
    assert fell_below(0.84, 0.85, 0.85)  # at the target counts as meeting it
    assert not fell_below(None, 0.9, 0.85)
    assert not fell_below(0.8, None, 0.85)
    assert not fell_below(0.8, 0.9, None)
