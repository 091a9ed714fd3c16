"""Hostile inputs through every command of the installed `renewals`: the exit code and message each must give.

The corpus is tests/data/hostile/ (small files, each awkward in one way). CASES is the spec: for each input (and
each bad option or unwritable output), what every command must do. Every run is a real process of the installed
command; each distinct command line runs once, all of them in parallel, and the tests of this module share them.
"""

import atexit
import csv
import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

RENEWALS = Path(sys.executable).with_name("renewals")
DATA = Path(__file__).parent / "data"
HOSTILE = DATA / "hostile"
COSTS = DATA / "csm_costs.csv"
AS_OF = "2026-05-01"

COMMANDS = ("report", "upcoming", "segments", "validate", "coverage")
ACCOUNTING = ("report", "upcoming", "segments", "coverage")  # print the row accounting on stderr
WRITERS = ("report", "upcoming", "segments", "coverage")  # take --output
SHOWS_REPS = ("report", "upcoming", "segments")  # show rep names on stdout
NO_DIRECTORY = "/nonexistent-renewals-dir/out.csv"


@dataclass(frozen=True)
class Expect:
    """What one command must do: its exit code, a fragment of stderr, fragments of stdout."""

    code: int
    stderr: str = ""
    stdout: tuple[str, ...] = ()
    xfail: str = ""  # why the command does not do this yet


Outcome = dict[str, Expect]


def fails(message: str, commands: tuple[str, ...] = COMMANDS, *, code: int = 1, xfail: str = "") -> Outcome:
    """Each command exits `code` with `message` on stderr (one `Error: …` line)."""
    return {command: Expect(code, stderr=message, xfail=xfail) for command in commands}


def usage(message: str, *commands: str, xfail: str = "") -> Outcome:
    """A usage error: exit 2."""
    return fails(message, commands or COMMANDS, code=2, xfail=xfail)


def rows(
    read: int, accepted: int, rejected: int = 0, skipped: int = 0, *, reason: str = "", shows: str = "", xfail: str = ""
) -> Outcome:
    """The file is read: rows counted (read = accepted + rejected + skipped) and said; `validate` exits 1 on any
    rejection and names the `reason`; `shows` is text the report, worklist and segments must show (a decoded name).
    """
    assert read == accepted + rejected + skipped
    counts = f"{read} read · {accepted} accepted · {rejected} rejected" + (f" · {skipped} skipped" if skipped else "")
    outcome = {
        command: Expect(
            0, stderr=f"Rows: {counts}", stdout=(shows,) if shows and command in SHOWS_REPS else (), xfail=xfail
        )
        for command in ACCOUNTING
    }
    outcome["validate"] = Expect(1 if rejected else 0, stdout=(counts, reason), xfail=xfail)
    return outcome


@dataclass(frozen=True)
class Case:
    """Inputs (relative to tests/data/hostile: files, globs or paths that do not exist), extra options, outcome."""

    inputs: tuple[str, ...]
    outcome: Outcome
    options: tuple[str, ...] = ()
    costs: bool = True  # coverage gets `--csm-costs tests/data/csm_costs.csv`
    label: str = ""

    def argv(self, command: str) -> tuple[str, ...]:
        fixed: tuple[str, ...] = ()
        if command in ("report", "upcoming"):
            fixed = ("--as-of", AS_OF)
        elif command == "coverage" and self.costs:
            fixed = ("--csm-costs", str(COSTS))
        return (command, *(str(HOSTILE / i) for i in self.inputs), *fixed, *self.options)

    def name(self) -> str:
        return self.label or " ".join((*self.inputs, *self.options))


def command_line(command: str, *inputs: str) -> tuple[str, ...]:
    """`renewals COMMAND INPUTS…` with the options every run of that command gets (see `Case.argv`)."""
    return Case(inputs=inputs, outcome={}).argv(command)


def case(*inputs: str, outcome: Outcome, options: tuple[str, ...] = (), costs: bool = True, label: str = "") -> Case:
    return Case(inputs=inputs, outcome=outcome, options=options, costs=costs, label=label)


MISSING_EXPIRY_DATE = (
    "missing_column.csv: no column for required 'expiry_date' (looked for headers: expiry_date, Expiry Date, "
    "Contract End Date, End Date, Renewal Date, Expiration Date, Term End Date)"
)
MISSING_ACCOUNT_ID = (
    "no column for required 'account_id' (looked for headers: account_id, Account ID, Account, Account Name, "
    "Customer, Customer ID, Company, Company ID)"
)
NO_CSM = "no csm column (looked for headers: csm, CSM, Customer Success Manager)"

CASES: list[Case] = [
    # ------------------------------------------------------------------ files that are not exports
    case("valid.csv", outcome=rows(3, 3)),
    case("valid.parquet", outcome=rows(3, 3)),
    case("empty.csv", outcome=fails("empty.csv: the file is empty")),
    case("blank_lines.csv", outcome=fails("blank_lines.csv: the file is empty")),
    case("bom_only.csv", outcome=fails("bom_only.csv: the file is empty")),
    case("header_only.csv", outcome=rows(0, 0)),
    case("missing_column.csv", outcome=fails(MISSING_EXPIRY_DATE)),
    case("unrelated_columns.csv", outcome=fails(MISSING_ACCOUNT_ID)),
    case("random.bin", outcome=fails("random.bin: not a text export (binary content)")),
    # random bytes that happen to decode as Windows-1252
    case("random_cp1252.bin", outcome=fails("random_cp1252.bin: not a text export (binary content)")),
    case("a_directory", outcome=fails("a_directory: is a directory, expected a CSV or Parquet file")),
    case("no_such_file.csv", outcome=fails("no_such_file.csv: no such file")),
    case("nothing-*.csv", outcome=fails("nothing-*.csv: no file matches this pattern")),
    case("zip.csv", outcome=fails("zip.csv: not a readable zip file (File is not a zip file)")),
    case("gzip.csv", outcome=fails("gzip.csv: not a readable gzip file")),
    case("corrupt.parquet", outcome=fails("corrupt.parquet: not a readable Parquet file")),
    case("not_parquet.parquet", outcome=fails("not_parquet.parquet: not a readable Parquet file")),  # a CSV, misnamed
    # ------------------------------------------------------------------ encodings and delimiters
    case("utf16le_bom.csv", outcome=rows(4, 4, shows="Zoë Müller")),
    case("utf16be_bom.csv", outcome=rows(4, 4, shows="Zoë Müller")),
    case("utf8_bom_crlf.csv", outcome=rows(4, 4, shows="Zoë Müller")),
    case("windows1252.csv", outcome=rows(4, 4, shows="Renée Müller")),
    case("semicolon.csv", outcome=rows(3, 3)),
    case("tab.tsv", outcome=rows(3, 3)),
    case("nul_bytes.csv", outcome=rows(2, 2)),
    # ------------------------------------------------------------------ CSV structure
    case("ragged_short.csv", outcome=rows(4, 3, 1, reason="missing prior_amount")),
    # Fields beyond the header are never dropped silently: the row is rejected (empty ones, trailing delimiters, pass).
    case("ragged_long.csv", outcome=rows(4, 3, 1, reason="more fields than the header")),
    # `1,500` unquoted: prior_amount read as 1 and status as `500` (so open); `Closed Lost` dropped.
    case(
        "ragged_shifted.csv",
        outcome=rows(2, 1, 1, reason="more fields than the header") | fails(NO_CSM, ("coverage",)),
    ),
    case("trailing_delimiters.csv", outcome=rows(2, 2)),
    case("quoted_newlines.csv", outcome=rows(3, 3) | {"segments": Expect(0, "Rows: 3 read", ("Holdings, Inc.",))}),
    case("unterminated_quote.csv", outcome=fails("unterminated_quote.csv: cannot be read as CSV")),
    case("duplicate_headers.csv", outcome=rows(1, 1)),  # two `status` columns: the first is read
    # ------------------------------------------------------------------ dates
    case("ambiguous_dates.csv", outcome=fails("name the layout with --date-format %m/%d/%Y or --date-format %d/%m/%Y")),
    case("us_dates.csv", outcome=rows(2, 2)),
    case("mixed_iso_and_us_dates.csv", outcome=rows(3, 2, 1, reason="invalid expiry_date")),  # + `May 31 2026`
    case("mixed_mdy_dmy_dates.csv", outcome=fails("mixes month-first and day-first dates; name the layout with")),
    case("impossible_dates.csv", outcome=rows(3, 1, 2, reason="invalid expiry_date")),
    # ------------------------------------------------------------------ money
    case("money_garbage.csv", outcome=rows(6, 1, 5, reason="invalid prior_amount")),
    case("negative_money.csv", outcome=rows(4, 1, 3, reason="negative prior_amount")),
    case("huge_money.csv", outcome=rows(4, 1, 3, reason="invalid prior_amount")),  # 1e300, 320 nines, inf
    case("huge_plain_money.csv", outcome=rows(2, 1, 1, reason="invalid prior_amount")),  # 10**300 in digits
    case("mixed_currencies.csv", outcome=fails("amounts are in several currencies (JPY, USD)")),
    # ------------------------------------------------------------------ rows
    case("duplicate_ids.csv", outcome=rows(4, 3, 1, reason="duplicate opportunity_id")),
    case("salesforce_footer.csv", outcome=rows(7, 3, 0, 4)),
    case(
        "salesforce_footer_totals.csv",
        outcome=rows(8, 3, 0, 5),
    ),
    case("formula_cells.csv", outcome=rows(3, 3)),
    # ------------------------------------------------------------------ Parquet with the wrong column types
    case("expiry_date_int.parquet", outcome=rows(3, 0, 3, reason="invalid expiry_date")),  # 20260331
    case("expiry_date_null.parquet", outcome=rows(3, 0, 3, reason="missing expiry_date")),
    case("expiry_date_tz.parquet", outcome=rows(3, 3)),
    case("prior_amount_garbage.parquet", outcome=rows(3, 0, 3, reason="invalid prior_amount")),
    case("prior_amount_extreme.parquet", outcome=rows(3, 0, 3, reason="invalid prior_amount")),  # 1e300, inf, NaN
    case(
        "boolean_column.parquet",  # status as true/false
        outcome=fails("column 'status' holds boolean values; expected status labels"),
    ),
    case(
        "list_column.parquet",  # account_id as a list of strings
        outcome=fails("column 'account_id' holds list values"),
    ),
    # ------------------------------------------------------------------ several files
    case("valid.csv", "valid.parquet", outcome=rows(6, 3, 3, reason="duplicate opportunity_id")),
    case("valid.csv", "missing_column.csv", outcome=fails(MISSING_EXPIRY_DATE)),
    case("*.tsv", outcome=rows(3, 3)),
    case("valid.csv", "valid.csv", outcome=rows(3, 3)),  # a file named twice is read once
    # ------------------------------------------------------------------ bad option values
    case("valid.csv", options=("--days", "-1"), outcome=usage("Invalid value for '--days'", "upcoming")),
    case("valid.csv", options=("--by", "nonsense"), outcome=usage("--by nonsense: expected one of", "report")),
    case(
        "valid.csv", options=("--by", "nonsense"), outcome=usage("--by nonsense: expected segment or csm", "coverage")
    ),
    case(
        "valid.csv",
        options=("--as-of", "2026-13-01"),
        outcome=usage("Invalid value for '--as-of'", "report", "upcoming"),
    ),
    case("valid.csv", options=("--format", "bogus"), outcome=usage("Invalid value for '--format'")),
    case(
        "valid.csv",
        options=("--strategic-arr", "abc"),
        outcome=usage("--strategic-arr abc: expected an amount", "report", "upcoming", "segments", "coverage"),
    ),
    case(
        "valid.csv",
        options=("--from", "2026-05-01", "--to", "2026-01-01"),
        outcome=usage("--from 2026-05-01 is after --to 2026-01-01", "report", "segments", "coverage"),
    ),
    case("valid.csv", options=("--delimiter", "ab"), outcome=usage("--delimiter ab: expected one character")),
    case("valid.csv", options=("--map", "nonsense"), outcome=usage("--map nonsense: expected CANONICAL=HEADER")),
    case(
        "valid.csv",
        options=("--encoding", "nonsense"),
        outcome=usage("--encoding nonsense: unknown encoding"),
    ),
    case(
        "us_dates.csv",
        options=("--date-format", "%d/%m/%Y %p"),
        outcome=usage("--date-format"),
    ),
    case("valid.csv", options=("--target", "abc"), outcome=usage("Invalid value for '--target'", "coverage")),
    case("valid.csv", costs=False, outcome=usage("coverage needs --csm-costs COSTS.csv", "coverage")),
    # ------------------------------------------------------------------ outputs that cannot be written
    case(
        "valid.csv",
        options=("--output", NO_DIRECTORY),
        outcome=fails(f"{NO_DIRECTORY}: cannot write here (No such file or directory)", WRITERS),
    ),
    case(
        "valid.csv",
        options=("--output", str(HOSTILE / "valid.csv" / "out.csv")),
        outcome=fails("valid.csv/out.csv: cannot write here (Not a directory)", WRITERS),
        label="valid.csv --output valid.csv/out.csv",
    ),
    case(
        "valid.csv",
        options=("--output", str(HOSTILE / "a_directory")),
        outcome=fails("a_directory: cannot write (Is a directory)", WRITERS),
        label="valid.csv --output a_directory",
    ),
    case(
        "money_garbage.csv",
        options=("--rejects", NO_DIRECTORY),
        outcome=fails(f"{NO_DIRECTORY}: cannot write here (No such file or directory)"),
    ),
]


def _params() -> Iterator[object]:
    for c in CASES:
        for command, expect in c.outcome.items():
            marks = [pytest.mark.xfail(strict=True, reason=expect.xfail)] if expect.xfail else []
            yield pytest.param(c.argv(command), expect, id=f"{c.name()}-{command}", marks=marks)


PARAMS = list(_params())

# Every file of the corpus through every command, and every command line of CASES.
SWEEP = sorted(
    {command_line(command, p.name) for p in HOSTILE.iterdir() for command in COMMANDS}
    | {c.argv(command) for c in CASES for command in c.outcome}
)


@functools.cache
def _workdir() -> str:
    """An empty current directory, so that no renewals.toml is picked up."""
    directory = tempfile.mkdtemp(prefix="renewals-hostile-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


@functools.cache
def renewals(argv: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """`renewals ARGV…` in a process with a plain, wide terminal; each command line runs once."""
    environment = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    environment |= {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    return subprocess.run(
        [str(RENEWALS), *argv],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        env=environment,
        cwd=_workdir(),
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module", autouse=True)
def _run_in_parallel(request: pytest.FixtureRequest) -> None:
    """Run the command lines this session's tests of this module will look at, several at a time."""
    mine = [item for item in request.session.items if getattr(item, "module", None) is request.module]
    wanted: set[tuple[str, ...]] = set()
    for item in mine:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "argv" in callspec.params:
            wanted.add(callspec.params["argv"])
    if any(item.name == test_no_traceback_and_short_stderr.__name__ for item in mine):
        wanted |= set(SWEEP)
    _workdir()  # made once, before the threads ask for it
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(renewals, sorted(wanted)))


@pytest.mark.parametrize(("argv", "expect"), PARAMS)
def test_hostile(argv: tuple[str, ...], expect: Expect) -> None:
    result = renewals(argv)
    assert result.returncode == expect.code, result.stderr
    assert expect.stderr in result.stderr
    for fragment in expect.stdout:
        assert fragment in result.stdout
    if expect.code == 1 and result.stderr:
        assert result.stderr.splitlines()[-1].startswith("Error: ")
        assert result.stdout == ""


def test_no_traceback_and_short_stderr() -> None:
    """Whatever the input: no traceback, a known exit code, and an error is a short message ending in one line
    `Error: …` (a usage error adds Typer's `Usage:` and `Try …` lines)."""
    problems = []
    for argv in SWEEP:
        result = renewals(argv)
        problem = _misbehaviour(argv[0], result)
        if problem:
            shown = "renewals " + " ".join(a.replace(f"{HOSTILE}/", "") for a in argv)
            problems.append(f"{shown}: {problem}\n{result.stderr}")
    assert not problems, "\n".join(problems)


def _misbehaviour(command: str, result: subprocess.CompletedProcess[str]) -> str | None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if "Traceback" in result.stderr or "Traceback" in result.stdout:
        return "traceback"
    if result.returncode not in (0, 1, 2):
        return f"exit {result.returncode}"
    if len(lines) > 3:
        return f"{len(lines)} lines on stderr"
    rejections_only = command == "validate" and result.returncode == 1 and not lines  # listed on stdout
    if result.returncode and not rejections_only and not (lines and lines[-1].startswith("Error: ")):
        return f"exit {result.returncode} without an `Error: ` line"
    return None


def test_every_corpus_file_has_expectations() -> None:
    """CASES is the spec of the corpus: a file added to tests/data/hostile/ says what each command must do."""
    named = {Path(i).name for c in CASES for i in c.inputs}
    assert sorted(p.name for p in HOSTILE.iterdir() if p.name not in named) == []


# ---------------------------------------------------------------------------------- outputs beyond the table


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize(
    ("inputs", "options"),
    [
        pytest.param(("empty.csv",), (), id="unreadable-input"),
        pytest.param(("money_garbage.csv",), ("--strict",), id="strict-with-rejections"),
        pytest.param(("valid.csv",), ("--strategic-arr", "abc"), id="usage-error"),
    ],
)
def test_a_failed_run_leaves_the_previous_output_untouched(
    tmp_path: Path, command: str, inputs: tuple[str, ...], options: tuple[str, ...]
) -> None:
    previous = tmp_path / "weekly.csv"
    previous.write_text("last week's report\n")
    argv = (*command_line(command, *inputs), *options, "--output", str(previous))
    result = renewals(argv)
    assert result.returncode in (1, 2)
    assert previous.read_text() == "last week's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.csv"]  # no temporary file left behind


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory; run as a user to check")
def test_an_output_in_a_read_only_directory_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = renewals((*command_line("report", "valid.csv"), "-o", str(locked / "out.csv")))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1
    assert "cannot write here (Permission denied)" in result.stderr


def test_an_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026-05-01.csv"
    target.parent.mkdir()
    target.write_text("")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    result = renewals((*command_line("report", "valid.csv"), "--format", "csv", "-o", str(link)))
    assert result.returncode == 0
    assert link.is_symlink()
    assert target.read_text().startswith("group,")


@pytest.mark.parametrize(("command", "options"), [("report", ("--by", "rep")), ("upcoming", ()), ("segments", ())])
def test_formula_cells_are_neutralised_in_csv(command: str, options: tuple[str, ...]) -> None:
    """OWASP CSV injection: a text cell starting with = + - @ tab or CR is prefixed with `'`; numbers stay numbers."""
    result = renewals((*command_line(command, "formula_cells.csv"), "--format", "csv", *options))
    assert result.returncode == 0, result.stderr
    cells = [cell for row in list(csv.reader(io.StringIO(result.stdout)))[1:] for cell in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(c)] == []
    assert "'=cmd|calc" in cells
    assert any(_is_number(c) and c.startswith("-") for c in cells) == (command == "upcoming")  # days_to_expiry


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
