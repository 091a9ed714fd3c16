"""Hostile inputs, options, outputs, streams and signals through every command: the exit code and message each must
give, and the files each must leave as they were.

The corpus is tests/data/hostile/ (small files, each awkward in one way). CASES is the spec: for each input (and
each bad option or unwritable output), what every command must do. The matrix runs in this process through the
entry point of the installed command (`cli.main`: the same error boundary), each distinct command line once, its
result shared by the tests of this module. What only a process shows (closed streams, pipes, signals, concurrent
runs, the exit code the shell sees) runs the installed command in a real process, at the end of this module.
"""

import atexit
import contextlib
import csv
import datetime as dt
import functools
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renewals_cli.sample import generate
from tests.clirun import Result, invoke

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
        if accepted
        else Expect(1, stderr=f"no row was accepted ({counts})", xfail=xfail)  # nothing to report is a failure
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
NO_CSM = (
    "no csm column (coverage assigns each account to a CSM; looked for headers: csm, CSM, Customer Success Manager)"
)

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
        outcome=usage("Invalid value for '--encoding': nonsense: unknown encoding"),
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
def renewals(argv: tuple[str, ...]) -> Result:
    """`renewals ARGV…` in this process, from an empty directory; each command line runs once. (The plain, wide
    terminal of every test is tests/conftest.py's.)"""
    with contextlib.chdir(_workdir()):
        return invoke(*argv)


@pytest.mark.parametrize(("argv", "expect"), PARAMS)
def test_hostile(argv: tuple[str, ...], expect: Expect) -> None:
    result = renewals(argv)
    assert result.exit_code == expect.code, result.stderr
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


def _misbehaviour(command: str, result: Result, codes: tuple[int, ...] = (0, 1, 2)) -> str | None:
    lines = [line for line in result.stderr.split("\n") if line.strip()]  # (not splitlines: \x1c-\x1e are in values)
    if "Traceback" in result.stderr or "Traceback" in result.stdout:
        return "traceback"
    if "Error: internal error" in result.stderr:  # the error boundary's net for a defect
        return "internal error"
    if result.exit_code not in codes:
        return f"exit {result.exit_code}"
    if len(lines) > 3:
        return f"{len(lines)} lines on stderr"
    rejections_only = command == "validate" and result.exit_code == 1 and not lines  # listed on stdout
    if result.exit_code and not rejections_only and not (lines and lines[-1].startswith("Error: ")):
        return f"exit {result.exit_code} without an `Error: ` line"
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
    result = invoke(*argv)
    assert result.exit_code in (1, 2)
    assert previous.read_text() == "last week's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.csv"]  # no temporary file left behind


def test_ctrl_c_after_an_output_is_staged_commits_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C inside the command, once the report is staged (Typer hands it back as the exit code 130): the
    staged file is not renamed into place. The process-level cases below hit this instant only sometimes."""
    from renewals_cli import outputs

    previous = tmp_path / "weekly.csv"
    previous.write_text("last week's report\n")
    stage = outputs.stage

    def stage_then_ctrl_c(*args: object, **kwargs: object) -> None:
        stage(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "stage", stage_then_ctrl_c)
    result = invoke(*command_line("report", "valid.csv"), "-o", str(previous))
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (130, "Interrupted.")
    assert previous.read_text() == "last week's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly.csv"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory; run as a user to check")
def test_an_output_in_a_read_only_directory_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = invoke(*command_line("report", "valid.csv"), "-o", str(locked / "out.csv"))
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1
    assert "cannot write here (Permission denied)" in result.stderr


def test_an_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026-05-01.csv"
    target.parent.mkdir()
    target.write_text("")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    result = invoke(*command_line("report", "valid.csv"), "--format", "csv", "-o", str(link))
    assert result.exit_code == 0
    assert link.is_symlink()
    assert target.read_text().startswith("group,")


@pytest.mark.parametrize(("command", "options"), [("report", ("--by", "rep")), ("upcoming", ()), ("segments", ())])
def test_formula_cells_are_neutralised_in_csv(command: str, options: tuple[str, ...]) -> None:
    """OWASP CSV injection: a text cell starting with = + - @ tab or CR is prefixed with `'`; numbers stay numbers."""
    result = renewals((*command_line(command, "formula_cells.csv"), "--format", "csv", *options))
    assert result.exit_code == 0, result.stderr
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


# ---------------------------------------------------------------------------------- no run destroys a file


def _files(directory: Path) -> dict[str, str]:
    """Every file of `directory` with its text: a temporary file left behind shows too."""
    return {p.name: p.read_text(errors="replace") for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    ("command", "option", "names", "expected"),
    [
        ("report", "-o", "{export}", "--output {export} is the input file {export}"),
        ("upcoming", "--rejects", "{export}", "--rejects {export} is the input file {export}"),
        ("segments", "-o", "{link}", "--output {link} is the input file {export}"),  # a symlink to the export
        ("validate", "--rejects", "{hard}", "--rejects {hard} is the input file {export}"),  # a hard link to it
        ("report", "-o", "{glob}", "--output {glob} is the input file {export}"),  # matched by the glob argument
        ("coverage", "-o", "{costs}", "--output {costs} is the input file {costs}"),  # --csm-costs
        ("report", "-o", "{config}", "--output {config} is the input file {config}"),  # --config
    ],
)
def test_an_output_that_is_an_input_is_a_usage_error_before_any_work(
    tmp_path: Path, command: str, option: str, names: str, expected: str
) -> None:
    export = tmp_path / "export.csv"
    shutil.copy(HOSTILE / "valid.csv", export)
    costs = tmp_path / "costs.csv"
    shutil.copy(COSTS, costs)
    (tmp_path / "renewals.toml").write_text("[segments]\nsmb_arr = 100\n")
    (tmp_path / "link.csv").symlink_to(export)
    (tmp_path / "hard.csv").hardlink_to(export)
    fill = {
        "export": export,
        "link": tmp_path / "link.csv",
        "hard": tmp_path / "hard.csv",
        "glob": tmp_path / "export.csv",
        "costs": costs,
        "config": tmp_path / "renewals.toml",
    }
    before = _files(tmp_path)
    inputs = str(tmp_path / "exp*.csv") if names == "{glob}" else str(export)
    argv = [command, inputs, option, names.format(**fill), "--config", str(fill["config"])]
    if command == "coverage":
        argv += ["--csm-costs", str(costs)]
    result = invoke(*argv)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {expected.format(**fill)}: write the output to another file\n"  # no "Rows:"
    assert _files(tmp_path) == before


def test_two_outputs_on_one_file_is_a_usage_error(tmp_path: Path) -> None:
    out, link = tmp_path / "out.csv", tmp_path / "latest.csv"
    link.symlink_to(out)  # to a file not written yet
    result = invoke(*command_line("report", "valid.csv"), "-o", str(out), "--rejects", str(link))
    assert result.exit_code == 2
    assert result.stderr == f"Error: --rejects {link} is also the --output file: give each output a file of its own\n"
    assert not out.exists()


def test_a_default_config_in_the_directory_is_an_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "renewals.toml").write_text("[segments]\nsmb_arr = 100\n")
    result = invoke(*command_line("segments", "valid.csv"), "-o", "renewals.toml")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: --output renewals.toml is the input file renewals.toml: write the output to another file\n",
    )
    assert (tmp_path / "renewals.toml").read_text() == "[segments]\nsmb_arr = 100\n"
    (tmp_path / "renewals.toml").unlink()  # without one, the name is free
    assert invoke(*command_line("segments", "valid.csv"), "-o", "renewals.toml").exit_code == 0


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (("--strict",), 1),  # rejections under --strict: after loading
        (("-o", "/nonexistent-renewals-dir/out.csv"), 1),  # the report cannot be written, the rejects could
        (("--fail-under",), 2),  # no targets: a usage error
    ],
)
def test_a_failed_run_leaves_an_old_rejects_file_as_it_was(tmp_path: Path, options: tuple[str, ...], code: int) -> None:
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("last week's rejects\n")
    result = invoke(*command_line("report", "money_garbage.csv"), "--rejects", str(rejects), *options)
    assert result.exit_code == code, result.stderr
    assert _files(tmp_path) == {"rejects.csv": "last week's rejects\n"}


def test_outputs_are_committed_together_when_the_run_succeeds(tmp_path: Path) -> None:
    rejects, out = tmp_path / "rejects.csv", tmp_path / "report.csv"
    rejects.write_text("old\n")
    result = invoke(*command_line("report", "money_garbage.csv"), "--rejects", str(rejects), "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == f"Rows: 6 read · 1 accepted · 5 rejected\nWrote {out}\n"
    assert sorted(_files(tmp_path)) == ["rejects.csv", "report.csv"]
    assert rejects.read_text().startswith("source,row,")


def test_validate_writes_the_rejects_it_exits_1_for(tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    result = invoke(*command_line("validate", "money_garbage.csv"), "--rejects", str(rejects))
    assert result.exit_code == 1
    assert len(rejects.read_text().splitlines()) == 1 + 5  # the header and the five rejected rows


def test_a_missed_target_still_writes_the_report(tmp_path: Path) -> None:
    config, out = tmp_path / "renewals.toml", tmp_path / "weekly.md"
    config.write_text("[targets]\nclose_rate = 0.99\n")
    result = invoke(*command_line("report", "valid.csv"), "--config", str(config), "--fail-under", "-o", str(out))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[1:] == [
        "Missed target: overall: close_rate 50.0% is below the target 99.0%",
        "Missed target: smb: close_rate 50.0% is below the target 99.0%",
        "Missed target: Cy: close_rate 0.0% is below the target 99.0%",
        "Missed target: 2026-Q2: close_rate 50.0% is below the target 99.0%",  # batch tables count too
        "4 targets missed: exit 3",
        f"Wrote {out}",
    ]
    assert out.read_text().startswith("# Renewal report")


def test_fail_under_without_targets_is_a_usage_error_before_reading(tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    result = invoke("report", str(tmp_path / "no-such-export.csv"), "--fail-under", "-o", str(out))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: --fail-under needs [targets] in renewals.toml (or --config PATH)\n"
    assert _files(tmp_path) == {}


# ---------------------------------------------------------------------------------- --quiet, for cron


@pytest.mark.parametrize("command", ["report", "upcoming"])
def test_quiet_says_nothing_on_success(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out.csv"
    loud = invoke(*command_line(command, "valid.csv"), "-o", str(out))
    assert loud.stderr == f"Rows: 3 read · 3 accepted · 0 rejected\nWrote {out}\n"
    for flag in ("--quiet", "-q"):
        result = invoke(*command_line(command, "valid.csv"), "-o", str(out), flag)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert out.read_text() == loud_output(command, out)


def loud_output(command: str, out: Path) -> str:
    """The file a run without --quiet writes (the same, quiet or not)."""
    invoke(*command_line(command, "valid.csv"), "-o", str(out))
    return out.read_text()


def test_quiet_still_tells_rejections_missed_targets_and_errors(tmp_path: Path) -> None:
    rejected = invoke(*command_line("report", "money_garbage.csv"), "--format", "csv", "-q")
    assert rejected.stderr == "Rows: 6 read · 1 accepted · 5 rejected (--rejects PATH lists them)\n"
    config = tmp_path / "renewals.toml"
    config.write_text("[targets]\nclose_rate = 0.99\n")
    missed = invoke(*command_line("report", "valid.csv"), "--config", str(config), "--fail-under", "-q", "-f", "csv")
    assert missed.exit_code == 3
    assert missed.stderr.splitlines()[0] == "Missed target: overall: close_rate 50.0% is below the target 99.0%"
    failed = invoke(*command_line("upcoming", "empty.csv"), "-q")
    assert (failed.exit_code, failed.stderr.splitlines()[-1][:7]) == (1, "Error: ")


def test_a_quiet_run_does_not_quiet_the_next(tmp_path: Path) -> None:
    invoke(*command_line("report", "valid.csv"), "-q", "-f", "csv")
    assert invoke(*command_line("report", "valid.csv"), "-f", "csv").stderr.startswith("Rows: ")


# ---------------------------------------------------------------------------------- option values and settings


def test_a_terminal_of_zero_columns_still_gets_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "0")
    result = invoke(*command_line("report", "valid.csv"))
    assert result.exit_code == 0
    assert "Renewal report" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80  # the fallback width of no terminal


@pytest.mark.parametrize(
    ("command", "options", "message"),
    [
        ("report", ("--as-of", "9999-12-31"), "Invalid value for '--as-of': 9999-12-31 is outside the calendar"),
        ("upcoming", ("--as-of", "0001-01-01"), "Invalid value for '--as-of': 0001-01-01 is outside the calendar"),
        ("report", ("--quarter", "9999-Q4"), "Error: --quarter 9999-Q4: the year is outside the calendar"),
        ("segments", ("--quarter", "0000-Q1"), "Error: --quarter 0000-Q1: the year is outside the calendar"),
        ("coverage", ("--target", "15"), "Error: --target is 15, above 1: rates are fractions (did you mean 0.15?)"),
        ("coverage", ("--target", "nan"), "Error: --target must be a finite number, not nan"),
        ("coverage", ("--target", "-inf"), "Error: --target must be a finite number, not -inf"),
        ("segments", ("--smb-arr", "nan"), "Error: --smb-arr nan: expected an amount such as 500000 or 500k"),
        ("report", ("--strategic-arr", "inf"), "Error: --strategic-arr inf: expected an amount such as 500000"),
        ("validate", ("--encoding", "rot13"), "'--encoding': rot13: not an encoding files are written in"),
    ],
)
def test_option_values_beyond_reason_are_usage_errors(command: str, options: tuple[str, ...], message: str) -> None:
    result = renewals((*command_line(command, "valid.csv"), *options))
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr.splitlines()[-1]


def test_dates_far_apart_still_make_a_window() -> None:
    result = renewals((*command_line("report", "valid.csv"), "--from", "0001-01-01", "--to", "9999-12-31"))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("a = " + "[" * 5000 + "]" * 5000, "not a settings file (values nested too deeply)"),
        ("a = " + "{ b = " * 3000 + "1" + " }" * 3000, "not a settings file (values nested too deeply)"),
        ("[targets]\ngrr = nan", "[targets] grr must be a finite number, not nan"),
        ("[targets]\nnrr = inf", "[targets] nrr must be a finite number, not inf"),
        ("[targets]\ngrr = 90", "[targets] grr is 90, above 1: rates are fractions (did you mean 0.90?)"),
        (
            "[targets.smb]\nretention_rate = 85.5",
            "[targets.smb] retention_rate is 85.5, above 1: rates are fractions (did you mean 0.855?)",
        ),
        ("[targets]\nnrr = 110", "[targets] nrr is 110, above 10: rates are fractions (did you mean 1.10?)"),
        ("[targets]\nclose_rate = -0.5", "[targets] close_rate is -0.5, below 0"),
        ("[segments]\nsmb_arr = nan", "[segments] smb_arr must be a finite number, not nan"),
        ("[segments]\nstrategic_arr = inf", "[segments] strategic_arr must be a finite number, not inf"),
        ("[coverage]\ntarget = 15", "[coverage] target is 15, above 1: rates are fractions (did you mean 0.15?)"),
        ("[coverage]\ntarget = nan", "[coverage] target must be a finite number, not nan"),
        (
            'encoding = "rot13"',
            "encoding rot13: not an encoding files are written in (use a Python codec name such as cp1252)",
        ),
    ],
)
def test_settings_beyond_reason_are_one_line_errors(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "renewals.toml"
    config.write_text(toml + "\n")
    result = invoke(*command_line("coverage", "valid.csv"), "--config", str(config))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {config}: {message}\n"


def test_every_target_kpi_has_a_range() -> None:
    from renewals_cli.config import TARGET_RANGES
    from renewals_cli.targets import TARGET_KPIS

    assert sorted(TARGET_RANGES) == sorted(TARGET_KPIS)


def test_targets_within_range_are_kept(tmp_path: Path) -> None:
    config = tmp_path / "renewals.toml"
    config.write_text("[targets]\ngrr = 0.9\nnrr = 1.1\nuplift = -0.05\n[coverage]\ntarget = 0.2\n")
    result = invoke(*command_line("report", "valid.csv"), "--config", str(config), "-f", "csv")
    assert result.exit_code == 0, result.stderr


# ---------------------------------------------------------------------------------- no traceback, whatever the values

OPTION_VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1e308", "10**9", "9999-12-31", "0001-01-01", "2026-02-30",
                     "9999-Q4", "FY2027-Q1", "current", "next", "tab", ",", "", " ", "%", "%Y", "%d/%m/%Y %p",
                     "utf-16", "rot13", "csm=rep", "=", "rep=", "segment", "batch,rep", "csv", "json", "99999999999"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)  # fmt: skip
COMMAND_OPTIONS = {
    "report": ("--by", "--from", "--to", "--quarter", "--as-of", "--strategic-arr", "--smb-arr", "--format"),
    "upcoming": ("--days", "--rep", "--segment", "--as-of", "--format", "--strategic-arr"),
    "segments": ("--from", "--to", "--quarter", "--smb-arr", "--format"),
    "validate": ("--encoding", "--delimiter", "--date-format", "--map", "--format"),
    "coverage": ("--by", "--target", "--quarter", "--strategic-arr", "--format"),
}
SETTING_KEYS = ("date_format", "decimal_comma", "encoding", "delimiter", "fiscal_year_start", "currency",
                "segments.smb_arr", "segments.strategic_arr", "targets.grr", "targets.nrr", "targets.smb.otrr",
                "targets.rep.close_rate", "coverage.target", "csm_costs.Cat", "columns.rep", "status.won")  # fmt: skip
TOML_VALUES = st.one_of(
    st.floats(),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _settings_file(values: dict[str, object]) -> str:
    """A renewals.toml of dotted keys (`targets.smb.otrr = 0.9`), checked to be valid TOML."""
    text = "".join(f"{key} = {_toml(value)}\n" for key, value in values.items())
    tomllib.loads(text)
    return text


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    command=st.sampled_from(sorted(COMMAND_OPTIONS)),
    data=st.data(),
    values=st.dictionaries(st.sampled_from(SETTING_KEYS), TOML_VALUES, max_size=4),
)
def test_no_option_value_or_setting_gives_a_traceback(
    command: str, data: st.DataObject, values: dict[str, object]
) -> None:
    options = data.draw(st.lists(st.sampled_from(COMMAND_OPTIONS[command]), max_size=3, unique=True))
    argv = [arg for option in options for arg in (option, data.draw(OPTION_VALUES, label=option))]
    with tempfile.TemporaryDirectory() as directory, contextlib.chdir(directory):
        Path("renewals.toml").write_text(_settings_file(values))
        result = invoke(*command_line(command, "valid.csv"), *argv)
    assert _misbehaviour(command, result, codes=(0, 1, 2, 3)) is None, result.stderr


# ---------------------------------------------------------------------------------- real processes
# What only a process of the installed command shows: streams closed by the shell, a pipe, signals, runs at once.


def shell(script: str, **options: object) -> subprocess.CompletedProcess[str]:
    """A bash script in which `renewals` is the installed command, with a plain terminal, from an empty directory."""
    environment = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    environment |= {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    return subprocess.run(
        ["bash", "-c", f"renewals() {{ '{RENEWALS}' \"$@\"; }}\n{script}"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=_workdir(),
        timeout=60,
        check=False,
        **options,  # type: ignore[call-overload]
    )


def test_a_closed_stdout_is_an_error_unless_the_report_goes_to_a_file(tmp_path: Path) -> None:
    valid = HOSTILE / "valid.csv"
    closed = shell(f"renewals report '{valid}' --as-of {AS_OF} >&-")
    assert closed.returncode == 1
    assert closed.stderr.splitlines()[-1] == (
        "Error: cannot write to standard output: it is closed (name a file with --output PATH)"
    )
    written = shell(f"renewals report '{valid}' --as-of {AS_OF} -o '{tmp_path}/r.csv' >&-")
    assert (written.returncode, written.stderr) == (
        0,
        f"Rows: 3 read · 3 accepted · 0 rejected\nWrote {tmp_path}/r.csv\n",
    )
    assert (tmp_path / "r.csv").read_text().startswith("group,")


def test_a_closed_stderr_leaves_the_report_and_the_exit_code() -> None:
    valid = HOSTILE / "valid.csv"
    done = shell(f"renewals report '{valid}' --as-of {AS_OF} --format csv 2>&-")
    assert (done.returncode, done.stdout.splitlines()[0][:6]) == (0, "group,")
    failed = shell(f"renewals report '{HOSTILE}/empty.csv' 2>&-")
    assert (failed.returncode, failed.stdout) == (1, "")


def test_an_output_to_dev_stdout_goes_down_the_pipe() -> None:
    done = shell(f"renewals report '{HOSTILE}/valid.csv' --as-of {AS_OF} -f csv -o /dev/stdout | cat")
    assert done.returncode == 0
    assert done.stdout.startswith("group,opportunities,")
    assert done.stderr == "Rows: 3 read · 3 accepted · 0 rejected\nWrote /dev/stdout\n"


@pytest.mark.parametrize(
    ("ending", "code", "said"),
    [
        (signal.SIGINT, 130, "Interrupted."),
        (signal.SIGTERM, 143, "Interrupted (SIGTERM)."),
        (signal.SIGHUP, 129, "Interrupted (SIGHUP)."),
    ],
)
def test_a_signal_ends_the_run_and_leaves_every_file_as_it_was(
    tmp_path: Path, ending: signal.Signals, code: int, said: str
) -> None:
    """Caught with the report staged: the rejects go to a named pipe no one reads, so the run waits there."""
    report, fifo = tmp_path / "report.csv", tmp_path / "rejects.fifo"
    report.write_text("last week's report\n")
    os.mkfifo(fifo)
    argv = [str(RENEWALS), *command_line("report", "valid.csv"), "-o", str(report), "--rejects", str(fifo)]
    run = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=_workdir())
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".report.csv.*.tmp")) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.02)
        assert list(tmp_path.glob(".report.csv.*.tmp")), "the report was never staged"
        run.send_signal(ending)
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:  # (a failed test must not wait for ever on the pipe)
            run.kill()
            run.communicate()
    assert run.returncode == code
    assert stderr.splitlines()[-1] == said
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rejects.fifo", "report.csv"]
    assert report.read_text() == "last week's report\n"


def test_concurrent_runs_onto_one_path_leave_one_whole_file(tmp_path: Path) -> None:
    path, rows, day = tmp_path / "demo.csv", 5_000, "2026-05-01"
    argv = [str(RENEWALS), "sample", str(path), "--rows", str(rows), "--as-of", day]
    runs = [
        subprocess.Popen([*argv, "--seed", str(seed)], stderr=subprocess.PIPE, text=True, cwd=_workdir())
        for seed in range(5)
    ]
    outcomes = [(run.wait(timeout=60), run.communicate()[1]) for run in runs]
    assert outcomes == [(0, f"Wrote {rows:,} opportunities to {path}\n")] * 5
    assert [p.name for p in tmp_path.iterdir()] == ["demo.csv"]  # no temporary file left
    written = path.read_text()
    day_ = dt.date.fromisoformat(day)
    assert written in {generate(rows, seed=seed, as_of=day_).write_csv() for seed in range(5)}
