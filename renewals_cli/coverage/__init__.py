"""Cost to serve and CSM coverage (SPEC §6): the costs file (`costs`), the table (`table`), the advice (`levers`)."""

from renewals_cli.coverage.costs import CONFIG_SOURCE, costs_from_mapping, load_costs
from renewals_cli.coverage.levers import levers
from renewals_cli.coverage.table import (
    COVERAGE_COLUMNS,
    DEFAULT_TARGET,
    Coverage,
    IdleCost,
    account_csms,
    coverage,
    csm_coverage,
    idle_cost,
)

__all__ = [
    "CONFIG_SOURCE",
    "COVERAGE_COLUMNS",
    "DEFAULT_TARGET",
    "Coverage",
    "IdleCost",
    "account_csms",
    "costs_from_mapping",
    "coverage",
    "csm_coverage",
    "idle_cost",
    "levers",
    "load_costs",
]
