"""Shared fixtures: a fixed, colourless terminal for every test, and the hand-checked book of tests/data."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Golden output must not depend on the developer's terminal."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture
def book() -> Path:
    """Seven opportunities whose KPIs are worked out by hand in tests/test_cli.py."""
    return DATA / "book.csv"


# Hypothesis profiles. `ci`, the default: few examples per property and no deadline (a shared two-core runner is
# slow and uneven), so that the suite stays quick; the examples that ever failed are replayed first all the same.
# `fuzz` (`make fuzz`, not part of CI): a long session of every property test. Tests leave the number of examples
# to the profile.
settings.register_profile("ci", max_examples=10, deadline=None)
settings.register_profile("fuzz", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
