"""SPEC §2 segments and §3 KPIs on tiny hand-built frames; every expected number is worked out in a comment."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewals_cli.kpis import GROUPINGS, KPI_COLUMNS, keys_of
from renewals_cli.segments import Thresholds, account_segments
from renewals_cli.window import Window, within
from tests.kpi_frames import assert_kpis, by_key, day, frame, opp, overall, tables

AS_OF = day("2026-03-15")
RATES = (
    "resolution_rate",
    "close_rate",
    "resolution_rate_value",
    "close_rate_value",
    "conversion_rate",
    "uplift",
    "renewal_rate",
    "otrr",
    "iqrr",
    "retention_rate",
    "grr",
    "nrr",
    "value_growth",
)


# --- the report window ------------------------------------------------------------------------------------


def _expiries(rows: pl.LazyFrame) -> list[str]:
    return [d.isoformat() for d in rows.collect()["expiry_date"].sort()]


WINDOW_ROWS = [
    opp("a", expiry, 100) for expiry in ("2026-01-30", "2026-01-31", "2026-02-15", "2026-03-31", "2026-04-01")
]


def test_in_window_keeps_both_ends_of_the_window():
    window = Window(as_of=AS_OF, start=day("2026-01-31"), end=day("2026-03-31"))
    # 2026-01-30 is a day early, 2026-04-01 a day late; both boundaries themselves are in.
    assert _expiries(frame(WINDOW_ROWS).filter(within(window))) == ["2026-01-31", "2026-02-15", "2026-03-31"]


def test_in_window_is_open_ended_without_from_or_to():
    rows = frame(WINDOW_ROWS)
    assert _expiries(rows.filter(within(Window(as_of=AS_OF)))) == [
        "2026-01-30",
        "2026-01-31",
        "2026-02-15",
        "2026-03-31",
        "2026-04-01",
    ]
    assert _expiries(rows.filter(within(Window(as_of=AS_OF, start=day("2026-03-31"))))) == [
        "2026-03-31",
        "2026-04-01",
    ]
    assert _expiries(rows.filter(within(Window(as_of=AS_OF, end=day("2026-01-31"))))) == [
        "2026-01-30",
        "2026-01-31",
    ]


def test_window_selects_rows_before_any_kpi():
    window = Window(as_of=AS_OF, start=day("2026-01-31"), end=day("2026-03-31"))
    row = overall(frame(WINDOW_ROWS).filter(within(window)), as_of=AS_OF)
    # 3 rows in the window, 100 each.
    assert_kpis(row, {"opportunities": 3, "available": 300.0})


# --- every KPI on one small pipeline -----------------------------------------------------------------------

# As of 2026-03-15, one rep, one batch, six accounts with one opportunity each.
PIPELINE = [
    # due, won on time (close 01-20 <= expiry 01-31), in quarter (Q1 ends 03-31); growth +100/1000
    opp("A", "2026-01-31", 1000, "won", renewal=1100, close="2026-01-20"),
    # due, won late (03-05 > 02-28) but still in Q1; down-sell, growth -100/500
    opp("B", "2026-02-28", 500, "won", renewal=400, close="2026-03-05"),
    # due, lost
    opp("C", "2026-02-15", 300, "lost", close="2026-02-10"),
    # due and past due (03-01 < 03-15), open
    opp("D", "2026-03-01", 200),
    # open, not due: out of retention / GRR / NRR
    opp("E", "2026-06-30", 800),
    # early renewal: not due, won 03-10 (before Q2 ends 06-30); growth +100/600
    opp("F", "2026-05-31", 600, "won", renewal=700, close="2026-03-10"),
]


def test_every_kpi_on_a_small_pipeline():
    got = tables(PIPELINE, ["overall"], as_of=AS_OF)["overall"]
    expected = pl.DataFrame(
        {
            "group": ["all"],
            "opportunities": [6],
            "accounts": [6],
            "available": [3400.0],  # 1000+500+300+200+800+600
            "won": [3],
            "lost": [1],
            "open": [2],
            "resolution_rate": [4 / 6],  # (3 won + 1 lost) / 6
            "close_rate": [3 / 4],  # 3 won / 4 answers
            "resolution_rate_value": [2400 / 3400],  # prior(W+L) = 1000+500+600+300
            "close_rate_value": [2100 / 2400],  # prior(W) = 1000+500+600
            "conversion_rate": [2200 / 2100],  # renewal(W) = 1100+400+700
            "uplift": [100 / 2100],  # 2200/2100 - 1
            "renewal_rate": [2200 / 3400],  # = 2400/3400 * 2100/2400 * 2200/2100
            "due": [4],  # A, B, C, D expire on or before 03-15
            "past_due": [1],  # D: open, 03-01 < 03-15
            "otrr": [1 / 4],  # A on time; B late; F not due
            "iqrr": [3 / 6],  # A, B, F closed by the end of their expiry quarter
            "retention_rate": [3 / 5],  # A, B, F retained of A, B, C, D, F (E has nothing at stake)
            "grr": [2000 / 2600],  # min(1100,1000)+min(400,500)+min(700,600) / (1000+500+300+200+600)
            "nrr": [2200 / 2600],
            "value_growth": [(100 / 1000 - 100 / 500 + 100 / 600) / 3],  # A, B, F unweighted
            "churned_value": [300.0],  # C
        }
    )
    assert_frame_equal(got, expected, rel_tol=1e-12)


def test_overall_table_has_group_all_then_kpi_columns_in_spec_order():
    got = tables(PIPELINE, ["overall"], as_of=AS_OF)["overall"]
    assert got.columns == ["group", *KPI_COLUMNS]
    assert KPI_COLUMNS == (
        "opportunities",
        "accounts",
        "available",
        "won",
        "lost",
        "open",
        "resolution_rate",
        "close_rate",
        "resolution_rate_value",
        "close_rate_value",
        "conversion_rate",
        "uplift",
        "renewal_rate",
        "due",
        "past_due",
        "otrr",
        "iqrr",
        "retention_rate",
        "grr",
        "nrr",
        "value_growth",
        "churned_value",
    )
    assert got["group"].to_list() == ["all"]


def test_accounts_counts_distinct_accounts_not_rows():
    rows = [
        opp("A", "2026-01-31", 100, rep="ann", batch="B1"),
        opp("A", "2026-02-28", 100, rep="bob", batch="B2"),
        opp("A", "2026-04-30", 100, rep="ann", batch="B1"),
        opp("B", "2026-04-30", 100, rep="bob", batch="B1"),
    ]
    # 4 rows, 2 accounts even though A's rows spread over two reps and two batches.
    assert_kpis(overall(rows, as_of=AS_OF), {"opportunities": 4, "accounts": 2})


def test_renewal_amount_of_lost_and_open_rows_is_ignored():
    rows = [
        opp("A", "2026-01-31", 1000, "won", renewal=1200, close="2026-01-31"),
        # a quote left on a lost or open opportunity is not renewed value
        opp("B", "2026-01-31", 500, "lost", renewal=900, close="2026-01-31"),
        opp("C", "2026-06-30", 400, renewal=700, close="2026-03-01"),
    ]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            "conversion_rate": 1200 / 1000,
            "renewal_rate": 1200 / 1900,  # available 1000+500+400
            "nrr": 1200 / 1500,  # at stake: A won, B lost; C open and not due
            "grr": 1000 / 1500,  # min(1200, 1000)
            "iqrr": 1 / 3,  # C's expected close date does not make it a renewal
            "otrr": 1 / 2,  # due: A, B
            "churned_value": 500.0,
        },
    )


# --- null when ----------------------------------------------------------------------------------------------


def test_empty_window_gives_one_overall_row_with_zero_counts_and_null_rates():
    window = Window(as_of=AS_OF, start=day("2027-01-01"), end=day("2027-12-31"))
    got = tables(frame(PIPELINE).filter(within(window)), ["overall"], as_of=AS_OF)["overall"]
    assert got.height == 1
    row = got.row(0, named=True)
    assert row["group"] == "all"
    zeros = {"opportunities": 0, "accounts": 0, "won": 0, "lost": 0, "open": 0, "due": 0, "past_due": 0}
    assert_kpis(row, {**zeros, "available": 0.0, "churned_value": 0.0, **dict.fromkeys(RATES)})


def test_empty_frame_gives_one_overall_row():
    row = overall([], as_of=AS_OF)
    assert_kpis(row, {"opportunities": 0, "accounts": 0, "available": 0.0, **dict.fromkeys(RATES)})


@pytest.mark.parametrize("grouping", [g for g in GROUPINGS if g != "overall"])
def test_empty_window_gives_keyed_groupings_no_rows_but_every_column(grouping):
    got = tables([], [grouping], as_of=AS_OF)[grouping]
    assert got.height == 0
    assert got.columns == [*keys_of(grouping), *KPI_COLUMNS]


def test_no_answers_and_nothing_due_nulls_every_answer_based_rate():
    rows = [opp("A", "2026-06-30", 1000), opp("B", "2026-07-31", 500)]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            "resolution_rate": 0.0,  # 0 answers / 2
            "close_rate": None,  # no answers
            "resolution_rate_value": 0.0,  # 0 / 1500
            "close_rate_value": None,  # Σ prior(W+L) = 0
            "conversion_rate": None,  # Σ prior(W) = 0
            "uplift": None,
            "renewal_rate": 0.0,  # 0 / 1500
            "due": 0,
            "past_due": 0,
            "otrr": None,  # due = 0
            "iqrr": 0.0,  # 0 / 2
            "retention_rate": None,  # no account with a won, lost or due row
            "grr": None,  # nothing at stake
            "nrr": None,
            "value_growth": None,  # no account with Σ prior(W) > 0
            "churned_value": 0.0,
        },
    )


def test_zero_prior_pipeline_nulls_value_rates_but_not_count_rates():
    rows = [
        opp("A", "2026-01-31", 0, "won", renewal=0, close="2026-01-31"),
        opp("B", "2026-06-30", 0),
    ]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            "available": 0.0,
            "resolution_rate": 1 / 2,
            "close_rate": 1.0,
            "resolution_rate_value": None,  # Σ prior(G) = 0
            "close_rate_value": None,  # Σ prior(W+L) = 0
            "conversion_rate": None,  # Σ prior(W) = 0
            "uplift": None,
            "renewal_rate": None,  # Σ prior(G) = 0
            "otrr": 1.0,  # A due and on time
            "iqrr": 1 / 2,
            "retention_rate": 1.0,  # A is at stake and won
            "grr": None,  # Σ prior at stake = 0
            "nrr": None,
            "value_growth": None,  # A's Σ prior(W) = 0
        },
    )


def test_won_rows_with_zero_prior_null_close_rate_value_and_conversion():
    rows = [
        opp("A", "2026-01-31", 0, "won", renewal=100, close="2026-01-31"),
        opp("B", "2026-06-30", 500),
    ]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            "resolution_rate_value": 0.0,  # 0 / 500
            "close_rate_value": None,  # Σ prior(W+L) = 0
            "conversion_rate": None,  # Σ prior(W) = 0
            "uplift": None,
            "renewal_rate": 100 / 500,
            "grr": None,  # at stake: A only, prior 0
            "nrr": None,
            "value_growth": None,
        },
    )


def test_lost_only_nulls_conversion_uplift_and_value_growth():
    rows = [
        opp("A", "2026-01-31", 300, "lost", close="2026-01-15"),
        opp("B", "2026-06-30", 700),
    ]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            "resolution_rate": 1 / 2,
            "close_rate": 0.0,  # 0 won / 1 answer
            "resolution_rate_value": 300 / 1000,
            "close_rate_value": 0.0,  # 0 / 300
            "conversion_rate": None,  # Σ prior(W) = 0
            "uplift": None,
            "renewal_rate": 0.0,
            "otrr": 0.0,  # due: A (lost)
            "retention_rate": 0.0,  # A at stake, not retained
            "grr": 0.0,  # 0 / 300
            "nrr": 0.0,
            "value_growth": None,
            "churned_value": 300.0,
        },
    )


# --- on-time renewal rate -----------------------------------------------------------------------------------


def test_otrr_counts_won_on_time_over_every_due_row():
    rows = [
        opp("A", "2026-02-28", 100, "won", renewal=100, close="2026-02-28"),  # due, on time (close = expiry)
        opp("B", "2026-02-28", 100, "won", renewal=100, close="2026-03-01"),  # due, one day late
        opp("C", "2026-03-15", 100, "won", renewal=100, close="2026-03-10"),  # due (expiry = as-of), on time
        opp("D", "2026-04-30", 100, "won", renewal=100, close="2026-03-01"),  # not yet due: neither side
        opp("E", "2026-01-31", 100, "lost", close="2026-01-15"),  # due
        opp("F", "2026-03-14", 100),  # due and past due
        opp("G", "2026-03-15", 100),  # due on the as-of date, not past due
        opp("H", "2026-03-16", 100),  # not due
    ]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            "due": 6,  # A, B, C, E, F, G — every status with expiry <= 03-15
            "past_due": 1,  # F: open with expiry < 03-15
            "otrr": 2 / 6,  # A and C
        },
    )


# --- in-quarter renewal rate --------------------------------------------------------------------------------


def test_iqrr_counts_won_rows_closed_by_the_end_of_the_expiry_quarter():
    rows = [
        opp("A", "2026-03-31", 100, "won", renewal=100, close="2026-03-31"),  # last day of Q1: counts
        opp("B", "2026-03-31", 100, "won", renewal=100, close="2026-04-01"),  # first day of Q2: no
        opp("C", "2026-05-15", 100, "won", renewal=100, close="2026-01-10"),  # early, earlier quarter: counts
        opp("D", "2026-01-01", 100, "won", renewal=100, close="2026-03-31"),  # late but within Q1: counts
        opp("E", "2025-12-31", 100, "won", renewal=100, close="2026-01-01"),  # next quarter: no
        opp("F", "2026-12-31", 100, "won", renewal=100, close="2026-12-31"),  # Q4 ends 12-31: counts
        opp("G", "2026-04-15", 100, "won", renewal=100, close="2026-06-30"),  # Q2 ends 06-30: counts
        opp("H", "2026-04-15", 100, "won", renewal=100, close="2026-07-01"),  # Q3: no
        opp("I", "2026-02-01", 100, "lost", close="2026-01-15"),  # lost: no
        opp("J", "2026-02-01", 100),  # open: no
        opp("K", "2026-09-30", 100),  # open: no
        opp("L", "2026-02-15", 100, "won", renewal=100, close="2025-11-30"),  # early, the year before: counts
    ]
    # As of the year's end every close has happened: A, C, D, F, G, L of 12 rows
    assert_kpis(overall(rows, as_of=day("2026-12-31")), {"opportunities": 12, "iqrr": 6 / 12})
    # As of 03-15, A, B, D, F, G and H closed later and were still open: C and L of 12 rows
    assert_kpis(overall(rows, as_of=AS_OF), {"opportunities": 12, "iqrr": 2 / 12})


# --- logo retention ----------------------------------------------------------------------------------------

RETENTION = [
    opp("X", "2026-06-30", 100, rep="ann"),  # only an open, not-due row: not in the denominator
    opp("Y", "2026-02-01", 100, "won", renewal=100, close="2026-01-20", rep="ann"),
    opp("Y", "2026-05-01", 100, "lost", close="2026-03-01", rep="bob"),  # won, then lost last: not retained
    opp("Z", "2026-02-15", 100, "lost", close="2026-02-10", rep="ann"),  # lost: not retained
    opp("W", "2026-03-01", 100, rep="bob"),  # open but due: counted, not retained
]


def test_retention_is_the_share_of_accounts_at_stake_whose_last_renewal_was_won():
    # at stake: Y, Z, W (X has only an open, not-due row); Y's last renewal at stake (05-01) was lost
    assert_kpis(overall(RETENTION, as_of=AS_OF), {"accounts": 4, "retention_rate": 0.0})


def test_retention_reads_the_last_renewal_as_of_the_as_of_date():
    # As of 02-15, Y's 05-01 row is neither closed (03-01 is later) nor due: its last renewal is the won one.
    # Z lost 02-10; W is not due yet. At stake: Y, Z → 1/2.
    assert_kpis(overall(RETENTION, as_of=day("2026-02-15")), {"retention_rate": 1 / 2})


def test_retention_counts_an_account_retained_when_a_row_of_its_last_expiry_day_was_won():
    rows = [
        opp("A", "2026-01-31", 100, "lost", close="2026-01-10"),
        opp("A", "2026-02-28", 100, "won", renewal=100, close="2026-02-01"),
        opp("A", "2026-02-28", 50, "lost", close="2026-02-01"),  # same day as the won row: still retained
        opp("B", "2026-01-31", 100, "won", renewal=100, close="2026-01-10"),
        opp("B", "2026-03-01", 100),  # due, open: B's last renewal is not won
    ]
    assert_kpis(overall(rows, as_of=AS_OF), {"retention_rate": 1 / 2})


def test_retention_per_rep_looks_at_the_reps_own_rows_of_each_account():
    got = by_key(tables(RETENTION, ["rep"], as_of=AS_OF)["rep"], "rep")
    # ann: X (excluded), Y (won), Z (lost) → 1/2
    assert_kpis(got[("ann",)], {"accounts": 3, "retention_rate": 1 / 2})
    # bob: Y (only its lost row), W (due, open) → 0/2
    assert_kpis(got[("bob",)], {"accounts": 2, "retention_rate": 0.0})


# --- gross and net revenue retention ------------------------------------------------------------------------


def test_grr_caps_each_won_row_at_its_prior_and_nrr_keeps_the_uplift():
    rows = [
        opp("A", "2026-01-31", 1000, "won", renewal=1100, close="2026-01-31"),  # uplift 100
        opp("B", "2026-02-28", 500, "won", renewal=400, close="2026-02-28"),  # down-sell 100
        opp("C", "2026-02-15", 300, "lost", close="2026-02-10"),
        opp("D", "2026-03-01", 200),  # open, due: at stake
        opp("E", "2026-06-30", 900),  # open, not due: not at stake
        opp("F", "2026-06-30", 100, "won", renewal=100, close="2026-03-01"),  # won early: at stake
    ]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            # min(1100,1000) + min(400,500) + min(100,100) / (1000+500+300+200+100)
            "grr": 1500 / 2100,
            # (1100+400+100) / 2100
            "nrr": 1600 / 2100,
        },
    )


def test_published_grr_nrr_example():
    # The textbook example: 1,000,000 of ARR up for renewal; 100,000 churns, 50,000 is down-sold and
    # 150,000 is expansion. GRR = (1,000,000 - 100,000 - 50,000) / 1,000,000 = 85%;
    # NRR = (1,000,000 - 100,000 - 50,000 + 150,000) / 1,000,000 = 100%.
    rows = [
        opp("churned", "2026-01-31", 100_000, "lost", close="2026-01-20"),
        opp("downsold", "2026-02-28", 200_000, "won", renewal=150_000, close="2026-02-20"),
        opp("expanded", "2026-02-28", 300_000, "won", renewal=450_000, close="2026-02-25"),
        opp("flat", "2026-03-01", 400_000, "won", renewal=400_000, close="2026-03-01"),
    ]
    assert_kpis(overall(rows, as_of=AS_OF), {"available": 1_000_000.0, "grr": 0.85, "nrr": 1.0})


# --- value growth -------------------------------------------------------------------------------------------


def test_value_growth_is_an_unweighted_mean_over_accounts():
    rows = [
        opp("big", "2026-01-31", 1_000_000, "won", renewal=1_000_000, close="2026-01-31"),  # 0%
        opp("small", "2026-01-31", 100, "won", renewal=200, close="2026-01-31"),  # +100%
        # two won rows: growth on the account's sums (600-400)/400 = +50%, not the row mean (200% + 0%)/2
        opp("split", "2026-02-28", 100, "won", renewal=300, close="2026-02-28"),
        opp("split", "2026-04-30", 300, "won", renewal=300, close="2026-03-01"),
        # Σ prior(W) = 0: left out of the mean
        opp("free", "2026-01-31", 0, "won", renewal=50, close="2026-01-31"),
        # no won row: left out
        opp("gone", "2026-01-31", 5000, "lost", close="2026-01-31"),
    ]
    # (0 + 1.0 + 0.5) / 3; weighted it would be (1_000_850 - 1_000_500) / 1_000_500 ≈ 0.00035
    assert_kpis(overall(rows, as_of=AS_OF), {"value_growth": 0.5})


def test_value_growth_is_the_same_whatever_order_the_accounts_come_in():
    # Growths whose float sum depends on the order it is made in (1/3, 1e-3, 1e5 ...): summed exactly, the mean
    # is the same bits for every order of the rows.
    priors_renewals = [(3, 4), (1000, 1001), (1, 100_001), (7, 6), (9, 10), (10_000, 10_003), (3, 5), (11, 13)]
    rows = [
        opp(f"A{i}", "2026-01-31", prior, "won", renewal=renewal, close="2026-01-31")
        for i, (prior, renewal) in enumerate(priors_renewals * 40)
    ]
    expected = sum((renewal - prior) / prior for prior, renewal in priors_renewals) / len(priors_renewals)
    means = {overall(order, as_of=AS_OF)["value_growth"] for order in (rows, rows[::-1], rows[1::2] + rows[::2])}
    assert len(means) == 1
    assert means.pop() == pytest.approx(expected, rel=1e-12)


def test_value_growth_per_rep_uses_each_reps_won_rows_of_the_account():
    rows = [
        opp("A", "2026-01-31", 100, "won", renewal=150, close="2026-01-31", rep="ann"),  # ann: +50%
        opp("A", "2026-02-28", 100, "won", renewal=50, close="2026-02-28", rep="bob"),  # bob: -50%
        opp("B", "2026-02-28", 400, "won", renewal=400, close="2026-02-28", rep="bob"),  # bob: 0%
    ]
    got = by_key(tables(rows, ["overall", "rep"], as_of=AS_OF)["rep"], "rep")
    assert_kpis(got[("ann",)], {"value_growth": 0.5})
    assert_kpis(got[("bob",)], {"value_growth": (-0.5 + 0.0) / 2})
    # overall: A (200-200)/200 = 0, B 0 → 0
    assert_kpis(overall(rows, as_of=AS_OF), {"value_growth": 0.0})


# --- segments (SPEC §2) ------------------------------------------------------------------------------------


def _tiers(rows, thresholds: Thresholds | None = None) -> dict[str, tuple[float, str]]:
    """{account_id: (account ARR, segment)} from the partials every grouping is rolled up from."""
    lazy = rows if isinstance(rows, pl.LazyFrame) else frame(rows)
    accounts = account_segments(lazy, thresholds or Thresholds()).collect()
    pairs = accounts.select("account_id", "account_arr", pl.col("segment").cast(pl.String))
    assert pairs["account_id"].is_unique().all(), "an account has one ARR and one segment"
    return {a: (arr, seg) for a, arr, seg in pairs.iter_rows()}


def test_account_arr_is_the_arr_on_the_latest_expiring_row_that_has_one():
    rows = [
        # latest row's ARR wins even though an earlier row says more
        opp("grew", "2026-01-31", 10, arr=100_000, rep="ann"),
        opp("grew", "2026-06-30", 10, arr=600_000, rep="bob", batch="B2"),
        opp("shrank", "2026-01-31", 10, arr=900_000, rep="ann"),
        opp("shrank", "2026-06-30", 10, arr=100_000, rep="bob", batch="B2"),
        opp("shrank_one_rep", "2026-01-31", 10, arr=900_000),
        opp("shrank_one_rep", "2026-06-30", 10, arr=100_000),
        # the latest row has no ARR: the latest row that has one counts, not the prior_amount fallback
        opp("blank_last", "2026-01-31", 10, arr=250_000),
        opp("blank_last", "2026-09-30", 10),
        # two rows on the latest date disagree (on different reps and batches): the largest
        opp("tie", "2026-01-31", 10, arr=900_000),
        opp("tie", "2026-06-30", 10, arr=300_000, rep="ann", batch="B1"),
        opp("tie", "2026-06-30", 10, arr=550_000, rep="bob", batch="B2"),
        # the same on one rep and batch
        opp("tie_one_rep", "2026-06-30", 10, arr=550_000),
        opp("tie_one_rep", "2026-06-30", 10, arr=300_000),
        opp("tie_one_rep", "2026-01-31", 10, arr=900_000),
    ]
    assert _tiers(rows) == {
        "grew": (600_000.0, "strategic"),
        "shrank": (100_000.0, "smb"),
        "shrank_one_rep": (100_000.0, "smb"),
        "blank_last": (250_000.0, "enterprise"),
        "tie": (550_000.0, "strategic"),
        "tie_one_rep": (550_000.0, "strategic"),
    }


def test_amounts_come_back_as_the_float_nearest_their_cents() -> None:
    # In micros times 1e-6 (how Polars divides a column by a number) 6848438.49 is 6848438.489999999, 123.45 is
    # 123.44999999999999 and 0.07 is 0.06999999999999999.
    rows = [
        opp("A", "2026-01-31", 6_848_438.49, "lost", close="2026-01-15", rep="ann", arr=123.45),
        opp("B", "2026-01-31", 0.07, rep="bob"),
    ]
    reps = by_key(tables(rows, ["rep"], as_of=AS_OF)["rep"], "rep")
    assert (reps[("ann",)]["available"], reps[("ann",)]["churned_value"]) == (6_848_438.49, 6_848_438.49)
    assert reps[("bob",)]["available"] == 0.07
    accounts = account_segments(frame(rows), Thresholds()).collect()
    assert accounts.sort("account_id")["account_arr"].to_list() == [123.45, 0.07]


def test_account_arr_falls_back_to_the_sum_of_prior_amount():
    rows = [
        # no arr on any row: 150,000 + 60,000 = 210,000
        opp("no_arr", "2026-01-31", 150_000, rep="ann"),
        opp("no_arr", "2026-06-30", 60_000, "won", renewal=60_000, close="2026-03-01", rep="bob"),
        # another account's ARR does not leak into this one
        opp("other", "2026-01-31", 10, arr=700_000),
    ]
    assert _tiers(rows) == {"no_arr": (210_000.0, "enterprise"), "other": (700_000.0, "strategic")}


def test_account_arr_reads_only_the_rows_in_the_window():
    rows = [
        opp("A", "2026-01-31", 100_000, arr=300_000),
        opp("A", "2026-12-31", 900_000, arr=800_000),  # outside the window
        opp("B", "2026-02-28", 150_000),
        opp("B", "2025-06-30", 400_000),  # outside: not in the Σ prior_amount fallback
    ]
    window = Window(as_of=AS_OF, start=day("2026-01-01"), end=day("2026-06-30"))
    assert _tiers(frame(rows).filter(within(window))) == {
        "A": (300_000.0, "enterprise"),
        "B": (150_000.0, "smb"),
    }


def test_strategic_flag_on_any_row_makes_the_account_strategic():
    rows = [
        opp("flagged", "2026-01-31", 1_000, strategic=None),
        opp("flagged", "2026-02-28", 1_000, strategic=True, rep="bob"),
        opp("flagged", "2026-06-30", 1_000, strategic=False, arr=5_000),
        opp("unflagged", "2026-01-31", 1_000, strategic=False),
        opp("unknown", "2026-01-31", 1_000),
    ]
    assert _tiers(rows) == {
        "flagged": (5_000.0, "strategic"),
        "unflagged": (1_000.0, "smb"),
        "unknown": (1_000.0, "smb"),
    }


@pytest.mark.parametrize(
    ("arr", "segment"),
    [
        (500_000.0, "strategic"),  # ≥ 500,000
        (499_999.99, "enterprise"),
        (200_000.0, "enterprise"),  # ≥ 200,000
        (199_999.99, "smb"),
        (0.0, "smb"),
    ],
)
@pytest.mark.parametrize("source", ["arr", "prior_amount"])
def test_default_thresholds_are_inclusive(arr, segment, source):
    row = opp("A", "2026-01-31", arr, arr=arr) if source == "arr" else opp("A", "2026-01-31", arr)
    assert _tiers([row]) == {"A": (arr, segment)}


def test_default_thresholds_are_the_specs():
    assert Thresholds() == Thresholds(strategic_arr=500_000, smb_arr=200_000)


def test_custom_thresholds():
    custom = Thresholds(strategic_arr=1_000_000, smb_arr=50_000)
    rows = [
        opp("a", "2026-01-31", 10, arr=1_000_000),  # ≥ 1,000,000
        opp("b", "2026-01-31", 10, arr=500_000),  # strategic by default, enterprise here
        opp("c", "2026-01-31", 10, arr=50_000),  # ≥ 50,000
        opp("d", "2026-01-31", 10, arr=49_999),  # smb
        opp("e", "2026-01-31", 10, arr=10, strategic=True),  # the flag still wins
    ]
    assert {k: seg for k, (_, seg) in _tiers(rows, custom).items()} == {
        "a": "strategic",
        "b": "enterprise",
        "c": "enterprise",
        "d": "smb",
        "e": "strategic",
    }


SEGMENTED = [
    # S: strategic by ARR on its latest row; its small early row still belongs to strategic
    opp("S", "2026-01-31", 1_000, "won", renewal=1_000, close="2026-01-31", rep="bob", arr=50_000),
    opp("S", "2026-02-28", 600_000, "lost", close="2026-02-20", rep="ann", arr=600_000),
    # E: enterprise by Σ prior = 120,000 + 130,000
    opp("E", "2026-02-28", 120_000, "won", renewal=132_000, close="2026-02-27", rep="bob"),
    opp("E", "2026-06-30", 130_000, rep="bob"),
    # M1, M2: smb
    opp("M1", "2026-01-31", 20_000, "won", renewal=10_000, close="2026-02-10", rep="ann"),
    opp("M2", "2026-03-01", 30_000, rep="ann", batch=None),
]


def test_every_row_inherits_its_accounts_segment():
    got = by_key(tables(SEGMENTED, ["segment"], as_of=AS_OF)["segment"], "segment")
    # strategic: both S rows; prior 1,000 + 600,000; S won 01-31, then lost 02-28: its last renewal was lost
    assert_kpis(
        got[("strategic",)],
        {
            "opportunities": 2,
            "accounts": 1,
            "available": 601_000.0,
            "won": 1,
            "lost": 1,
            "open": 0,
            "churned_value": 600_000.0,
            "retention_rate": 0.0,
            "grr": 1_000 / 601_000,
        },
    )
    # enterprise: E; won 120,000 → 132,000; E's open row is not due
    assert_kpis(
        got[("enterprise",)],
        {
            "opportunities": 2,
            "accounts": 1,
            "available": 250_000.0,
            "conversion_rate": 1.1,
            "grr": 120_000 / 120_000,
            "nrr": 132_000 / 120_000,
        },
    )
    # smb: M1 won 20,000 → 10,000 (late: 02-10 > 01-31), M2 open and due (03-01 ≤ 03-15), past due
    assert_kpis(
        got[("smb",)],
        {
            "opportunities": 2,
            "accounts": 2,
            "available": 50_000.0,
            "due": 2,
            "past_due": 1,
            "otrr": 0.0,
            "retention_rate": 1 / 2,
            "grr": 10_000 / 50_000,
            "value_growth": -0.5,
        },
    )


# --- batches and groupings ---------------------------------------------------------------------------------


def test_batch_falls_back_to_the_expiry_quarter():
    rows = [
        opp("A", "2026-02-10", 100, batch=None),  # 2026-Q1
        opp("B", "2026-03-31", 100, batch=None),  # 2026-Q1
        opp("C", "2025-12-31", 100, batch=None),  # 2025-Q4
        opp("D", "2026-04-01", 100, batch=None),  # 2026-Q2
        opp("E", "2026-02-10", 100, batch="Wave 2"),  # its own batch wins
    ]
    got = tables(rows, ["batch"], as_of=AS_OF)["batch"]
    assert got.select("batch", "opportunities").rows() == [
        ("2025-Q4", 1),
        ("2026-Q1", 2),
        ("2026-Q2", 1),
        ("Wave 2", 1),
    ]


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_key_columns_come_first_then_the_kpis(grouping):
    got = tables(SEGMENTED, [grouping], as_of=AS_OF)[grouping]
    expected_keys = keys_of(grouping) or ["group"]
    assert got.columns == [*expected_keys, *KPI_COLUMNS]
    for key in expected_keys:
        assert got.schema[key] == pl.String


def test_segments_sort_in_tier_order():
    got = tables(SEGMENTED, ["segment"], as_of=AS_OF)["segment"]
    assert got["segment"].to_list() == ["strategic", "enterprise", "smb"]


def test_rep_segment_rows_sort_by_rep_then_tier():
    got = tables(SEGMENTED, ["rep,segment"], as_of=AS_OF)["rep,segment"]
    # ann: S's lost row, M1, M2; bob: S's won row, both E rows
    assert got.select("rep", "segment", "opportunities").rows() == [
        ("ann", "strategic", 1),
        ("ann", "smb", 2),
        ("bob", "strategic", 1),
        ("bob", "enterprise", 2),
    ]


def test_batch_segment_rows_sort_by_batch_then_tier():
    got = tables(SEGMENTED, ["batch,segment"], as_of=AS_OF)["batch,segment"]
    # M2 has no batch and expires 2026-03-01 → 2026-Q1; every other row is B1
    assert got.select("batch", "segment", "opportunities").rows() == [
        ("2026-Q1", "smb", 1),
        ("B1", "strategic", 2),
        ("B1", "enterprise", 2),
        ("B1", "smb", 1),
    ]


def test_batch_rep_rows_sort_by_batch_then_rep():
    rows = [
        opp("A", "2026-01-31", 100, rep="cho", batch="Wave 1"),
        opp("B", "2026-01-31", 200, rep="ann", batch="Wave 2"),
        opp("C", "2026-01-31", 400, rep="ann", batch="Wave 1"),
        opp("D", "2026-01-31", 800, rep="bob", batch=None),  # 2026-Q1
        opp("E", "2026-02-28", 1600, rep="cho", batch="Wave 1"),
    ]
    got = tables(rows, ["batch,rep"], as_of=AS_OF)["batch,rep"]
    assert got.select("batch", "rep", "available").rows() == [
        ("2026-Q1", "bob", 800.0),
        ("Wave 1", "ann", 400.0),
        ("Wave 1", "cho", 1700.0),  # 100 + 1600
        ("Wave 2", "ann", 200.0),
    ]


def test_reps_and_batches_sort_by_their_text_whatever_order_the_rows_first_name_them():
    # Labels no other test uses, met last-first, sort by their text.
    rows = [
        opp("A", "2026-01-31", 100, rep="zz sort rep", batch="zz sort batch"),
        opp("B", "2026-01-31", 200, rep="mm sort rep", batch="mm sort batch"),
        opp("C", "2026-01-31", 400, rep="aa sort rep", batch="aa sort batch"),
    ]
    got = tables(rows, ["rep", "batch", "batch,rep"], as_of=AS_OF)
    assert got["rep"]["rep"].to_list() == ["aa sort rep", "mm sort rep", "zz sort rep"]
    assert got["batch"]["batch"].to_list() == ["aa sort batch", "mm sort batch", "zz sort batch"]
    assert got["batch,rep"].select("batch", "rep").rows()[0] == ("aa sort batch", "aa sort rep")
    assert all(got[g][key].dtype == pl.String for g in got for key in keys_of(g))


def test_one_call_computes_every_requested_grouping():
    got = tables(SEGMENTED, GROUPINGS, as_of=AS_OF)
    assert list(got) == list(GROUPINGS)
    # 6 rows in every grouping's total
    assert all(table["opportunities"].sum() == 6 for table in got.values())


# --- statuses as of the as-of date ----------------------------------------------------------------------------


def test_rows_closed_after_the_as_of_date_are_open_as_of_it():
    rows = [
        opp("A", "2026-03-01", 100, "won", renewal=120, close="2026-03-20"),  # won after A: open, past due
        opp("B", "2026-03-10", 200, "lost", close="2026-03-16"),  # lost the day after A: open, past due
        opp("C", "2026-03-15", 300, "won", renewal=300, close="2026-03-15"),  # won on A: won
    ]
    assert_kpis(
        overall(rows, as_of=AS_OF),
        {
            "won": 1,
            "lost": 0,
            "open": 2,
            "past_due": 2,
            "due": 3,
            "resolution_rate": 1 / 3,
            "close_rate": 1.0,
            "renewal_rate": 300 / 600,
            "churned_value": 0.0,
            "otrr": 1 / 3,  # C closed on its expiry date
            "retention_rate": 1 / 3,  # A and B due but not won as of A
            "grr": 300 / 600,
        },
    )
    # The day after, everything has closed: the picture as it stood then.
    assert_kpis(
        overall(rows, as_of=day("2026-03-20")),
        {"won": 2, "lost": 1, "open": 0, "past_due": 0, "renewal_rate": 420 / 600, "churned_value": 200.0},
    )


# --- fiscal quarters --------------------------------------------------------------------------------------------


def test_a_fiscal_calendar_moves_batch_labels_and_the_in_quarter_deadline():
    # With a February start, FY2026-Q4 runs 2025-11-01 to 2026-01-31 and FY2027-Q1 2026-02-01 to 2026-04-30.
    rows = [
        # expires in FY2026-Q4, closed 2026-02-10: in calendar Q1 of the same year, but after its fiscal quarter
        opp("A", "2026-01-15", 100, "won", renewal=100, close="2026-02-10", batch=None),
        # expires in FY2027-Q1, closed 2026-04-20: after calendar Q1, within the fiscal quarter
        opp("B", "2026-03-20", 100, "won", renewal=100, close="2026-04-20", batch=None),
    ]
    as_of = day("2026-05-01")
    fiscal = tables(rows, ["overall", "batch"], as_of=as_of, start_month=2)
    assert fiscal["batch"]["batch"].to_list() == ["FY2026-Q4", "FY2027-Q1"]
    assert_kpis(fiscal["overall"].row(0, named=True), {"iqrr": 1 / 2})  # B only
    calendar = tables(rows, ["overall", "batch"], as_of=as_of)
    assert calendar["batch"]["batch"].to_list() == ["2026-Q1"]
    assert_kpis(calendar["overall"].row(0, named=True), {"iqrr": 1 / 2})  # A only
