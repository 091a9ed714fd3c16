"""`renewals.toml`: column and status mappings, value layouts, segment thresholds, KPI targets, coverage (SPEC §5).

The file is optional: `--config PATH`, else `renewals.toml` in the working directory. Command-line options win
over it. Unknown keys and wrong types are errors that name the key.
"""

import codecs
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renewals_cli.errors import InputError, UsageError
from renewals_cli.load.columns import CANONICAL
from renewals_cli.load.values import LOST, WON, fold_label
from renewals_cli.segments import SEGMENTS
from renewals_cli.targets import TARGET_KPIS, Targets

DEFAULT_NAME = "renewals.toml"

# The range of a sensible target (a minimum) per KPI. Rates of a part of a whole stop at 1; the others can exceed
# it (uplift), but a target of 10 (1,000%) or more is a percent written for a fraction.
TARGET_RANGES: Mapping[str, tuple[float, float]] = {
    "resolution_rate": (0, 1), "close_rate": (0, 1), "resolution_rate_value": (0, 1), "close_rate_value": (0, 1),
    "otrr": (0, 1), "iqrr": (0, 1), "retention_rate": (0, 1), "grr": (0, 1),
    "conversion_rate": (0, 10), "renewal_rate": (0, 10), "nrr": (0, 10), "uplift": (-1, 10), "value_growth": (-1, 10),
}  # fmt: skip


@dataclass(frozen=True)
class Config:
    """Everything `renewals.toml` can say; each field None (or empty) when the file does not say it."""

    source: Path | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    won: tuple[str, ...] = WON
    lost: tuple[str, ...] = LOST
    date_format: str | None = None
    decimal_comma: bool | None = None
    encoding: str | None = None
    delimiter: str | None = None
    strategic_arr: float | None = None
    smb_arr: float | None = None
    targets: Targets = field(default_factory=Targets)
    coverage_target: float | None = None
    csm_costs: Mapping[str, object] | None = None
    fiscal_year_start: int | None = None
    currency: str | None = None


def find_config(explicit: Path | None, cwd: Path | None = None) -> Config:
    """Read `--config PATH` (which must exist), else `./renewals.toml` if there is one, else the defaults."""
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"{explicit}: no such configuration file")
        return read_config(explicit)
    default = (cwd or Path.cwd()) / DEFAULT_NAME
    return read_config(default) if default.is_file() else Config()


def read_config(path: Path) -> Config:
    """Parse and check one configuration file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise InputError(f"{path}: not a settings file (values nested too deeply)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    return _Reader(path).config(data)


class _Reader:
    """Checks each key's type, naming the key (`[segments] smb_arr`) in every error."""

    TOP = ("columns", "status", "date_format", "decimal_comma", "encoding", "delimiter", "segments", "targets",
           "coverage", "csm_costs", "fiscal_year_start", "currency")  # fmt: skip

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> InputError:
        return InputError(f"{self.path}: {key} {problem}")

    def known(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"{where}{key}", f"is not a known key (expected one of: {', '.join(allowed)})")

    def table(self, data: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"{where}{key}", "must be a table")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str = "") -> str | None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{where}{key}", "must be a string")
        return value

    def number(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "must be a number")
        if not math.isfinite(value):
            raise self.fail(key, f"must be a finite number, not {value}")
        if value < 0:
            raise self.fail(key, "must not be negative")
        return float(value)

    def labels(self, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"[status] {key}", "must be a list of strings")
        return tuple(value)

    def config(self, data: Mapping[str, Any]) -> Config:
        self.known(data, self.TOP, "")
        columns = self.table(data, "columns")
        self.known(columns, CANONICAL, "[columns] ")
        for key, header in columns.items():
            if not isinstance(header, str):
                raise self.fail(f"[columns] {key}", "must be a header name (a string)")
        won, lost = self.status(self.table(data, "status"))
        segments = self.table(data, "segments")
        self.known(segments, ("strategic_arr", "smb_arr"), "[segments] ")
        coverage = self.table(data, "coverage")
        self.known(coverage, ("target",), "[coverage] ")
        fiscal_year_start = data.get("fiscal_year_start")
        if fiscal_year_start is not None and (
            isinstance(fiscal_year_start, bool)
            or not isinstance(fiscal_year_start, int)
            or not 1 <= fiscal_year_start <= 12
        ):
            raise self.fail("fiscal_year_start", "must be a month from 1 (January) to 12 (December)")
        decimal_comma = data.get("decimal_comma")
        if decimal_comma is not None and not isinstance(decimal_comma, bool):
            raise self.fail("decimal_comma", "must be true or false")
        return Config(
            source=self.path,
            columns=dict(columns),
            won=won,
            lost=lost,
            date_format=self.text(data, "date_format"),
            decimal_comma=decimal_comma,
            encoding=self.encoding(data),
            delimiter=self.text(data, "delimiter"),
            strategic_arr=self.optional_number(segments, "strategic_arr", "[segments] "),
            smb_arr=self.optional_number(segments, "smb_arr", "[segments] "),
            targets=self.targets(self.table(data, "targets")),
            coverage_target=self.fraction(coverage, "target", "[coverage] "),
            csm_costs=dict(self.table(data, "csm_costs")) if "csm_costs" in data else None,
            fiscal_year_start=fiscal_year_start,
            currency=self.text(data, "currency"),
        )

    def encoding(self, data: Mapping[str, Any]) -> str | None:
        name = self.text(data, "encoding")
        problem = None if name is None else encoding_problem(name)
        if problem:
            raise self.fail("encoding", f"{name}: {problem}")
        return name

    def optional_number(self, data: Mapping[str, Any], key: str, where: str) -> float | None:
        return None if key not in data else self.number(data[key], f"{where}{key}")

    def fraction(self, data: Mapping[str, Any], key: str, where: str) -> float | None:
        value = self.optional_number(data, key, where)
        problem = None if value is None else out_of_range(value, 0, 1)
        if problem:
            raise self.fail(f"{where}{key}", problem)
        return value

    def status(self, data: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Labels named in the file join the defaults and take precedence over them."""
        self.known(data, ("won", "lost", "open"), "[status] ")
        won, lost, open_ = (self.labels(data, key) for key in ("won", "lost", "open"))

        def keep(defaults: tuple[str, ...], others: tuple[str, ...]) -> tuple[str, ...]:
            taken = {fold_label(label) for label in others}
            return tuple(label for label in defaults if fold_label(label) not in taken)

        return keep(WON, lost + open_) + won, keep(LOST, won + open_) + lost

    def targets(self, data: Mapping[str, Any]) -> Targets:
        overall: dict[str, float] = {}
        per_segment: dict[str, dict[str, float]] = {}
        rep: dict[str, float] = {}
        for key, value in data.items():
            if key in SEGMENTS or key == "rep":
                if not isinstance(value, dict):
                    raise self.fail(f"[targets.{key}]", "must be a table of KPI = minimum")
                minimums = {kpi: self.target(f"[targets.{key}] {kpi}", kpi, v) for kpi, v in value.items()}
                if key == "rep":
                    rep = minimums
                else:
                    per_segment[key] = minimums
            else:
                overall[key] = self.target(f"[targets] {key}", key, value)
        return Targets(overall=overall, segments=per_segment, rep=rep)

    def target(self, where: str, kpi: str, value: object) -> float:
        if kpi not in TARGET_KPIS:
            raise self.fail(
                where,
                f"is not a KPI a target can be set for (rates: {', '.join(TARGET_KPIS)}; "
                f"per group: [targets.{'|'.join(SEGMENTS)}|rep])",
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, "must be a number (a fraction such as 0.85)")
        problem = out_of_range(value, *TARGET_RANGES.get(kpi, (-1, 10)))
        if problem:
            raise self.fail(where, problem)
        return float(value)


def out_of_range(value: float, low: float, high: float) -> str | None:
    """Why `value` is no fraction from `low` to `high` (a target, a cost-to-serve), or None when it is one.

    NaN would pass every comparison (a NaN target is never missed), infinity every check: both are refused. A
    value above the range is read as a percent, and the fraction is suggested.
    """
    if not math.isfinite(value):
        return f"must be a finite number, not {value}"
    if value > high:
        return f"is {value:g}, above {high:g}: rates are fractions (did you mean {_hundredth(value)}?)"
    if value < low:
        return f"is {value:g}, below {low:g}"
    return None


def _hundredth(value: float) -> str:
    """`value` / 100 as a fraction is written: 90 -> 0.90, 85.5 -> 0.855."""
    whole, _, decimals = f"{value / 100:.10f}".rstrip("0").partition(".")
    return f"{whole}.{decimals:0<2}"


def encoding_problem(name: str) -> str | None:
    """Why `name` is no text encoding a file can be read in (`rot13` and `base64` are codecs, but not of text;
    `undefined` refuses everything), or None."""
    try:
        codecs.lookup(name)
    except LookupError:
        return "unknown encoding (use a Python codec name such as cp1252)"
    try:
        "renewals".encode(name).decode(name)
    except (LookupError, UnicodeError, ValueError):
        return "not an encoding files are written in (use a Python codec name such as cp1252)"
    return None


def check_fraction(option: str, value: float | None) -> float | None:
    """An option's fraction from 0 to 1 (`--target 0.15`), or a usage error that says why not."""
    problem = None if value is None else out_of_range(value, 0, 1)
    if problem:
        raise UsageError(f"{option} {problem}")
    return value
