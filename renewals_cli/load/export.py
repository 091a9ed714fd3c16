"""One export made of one or more files: mapped, typed, with rejected and skipped rows marked (SPEC §1)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from renewals_cli.errors import InputError, UsageError, first_line, listed
from renewals_cli.load import reasons
from renewals_cli.load.columns import ALIASES, ColumnMapping, resolve_columns
from renewals_cli.load.sources import FILE_COLUMN, KINDS, ROW_COLUMN, Source, expand_paths, grouped, open_source
from renewals_cli.load.validate import (
    CANONICAL_SCHEMA,
    TEXT_COLUMNS,
    Detected,
    Guess,
    ParseOptions,
    Reader,
    checks_of,
    guess,
    reader,
    settle,
    typed_rows,
)


@dataclass(frozen=True)
class LoadOptions:
    """Everything that decides how files are read."""

    column_map: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None  # of a workbook (default: its first)
    parse: ParseOptions = field(default_factory=ParseOptions)


@dataclass(frozen=True, eq=False)
class Export:
    """Every row read, typed; `skipped` marks blank and footer lines, `reject_code` the rejected rows.

    Detection looks at each file's first rows (`validate.guess`, made by `load_export`); what they say is
    confirmed over every row by the guesses' checks, which every read collects beside its own queries, in the same
    pass (`collect`), so that a report reads the files once. A read whose checks type some file anew (rare: a
    label or layout the first rows did not show) is made again of the rows as typed from every row's evidence.

    Parsing a CSV file is most of a read's cost, and the streaming engine parses it once per distinct plan over
    it: the checks of an export of one CSV file are therefore made of its provisional rows (which carry the
    file's text for them, see `validate.checks_of`), not of the file. A Parquet file's checks read their one
    column by themselves, in less memory than passing it along the rows.
    """

    sources: tuple[Source, ...]
    mappings: tuple[ColumnMapping, ...]
    readers: tuple[Reader, ...]
    guesses: tuple[Guess, ...]

    @property
    def names(self) -> str:
        """The files read, as a message names them."""
        return listed([str(source.path) for source in self.sources], chars=None)

    @property
    def notes(self) -> tuple[str, ...]:
        """What reading the files changed, to be said (lines decoded as Windows-1252)."""
        return tuple(note for source in self.sources for note in source.notes)

    def has(self, canonical: str) -> bool:
        """Whether any file of the export has this column."""
        return any(m.has(canonical) for m in self.mappings)

    def raw_amounts(self, limit: int = 1000) -> list[str]:
        """The first `prior_amount` texts of the first file, as written (to say why amounts failed to parse)."""
        source, mapping = self.sources[0], self.mappings[0]
        header = mapping.header_for("prior_amount")
        if header is None:
            return []
        texts = source.frame.select(pl.col(header).cast(pl.String)).head(limit).collect()
        return [text for text in texts.to_series().to_list() if text is not None]

    def require(self, canonical: str, why: str) -> None:
        """Raise InputError when no file of the export has this column; `why` says what needs it."""
        if not self.has(canonical):
            looked_for = ", ".join((canonical, *ALIASES.get(canonical, ())))
            raise InputError(
                f"{self.names}: no {canonical} column ({why}; looked for headers: {looked_for}); "
                f"name one with --map {canonical}=HEADER"
            )

    def unreadable(self, exc: Exception) -> InputError:
        """The error for files that fail while their rows are read: one line naming them (and their format)."""
        kinds = {source.kind for source in self.sources}
        kind = f" as {KINDS[kinds.pop()]}" if len(kinds) == 1 else ""
        return InputError(f"{self.names}: cannot be read{kind} ({first_line(exc)})")

    @property
    def rows(self) -> pl.LazyFrame:
        """The typed rows, detection confirmed over every row (by a pass of their own when it needs confirming)."""
        _, checks = self._provisional()
        return _typed(self.readers, self._settled(self._collected(checks)) if checks else self._guessed())

    def accepted(self) -> pl.LazyFrame:
        """The rows KPIs are computed on."""
        return accepted(self.rows)

    def collect(self, queries: Callable[[pl.LazyFrame], Sequence[pl.LazyFrame]]) -> list[pl.DataFrame]:
        """The results of the queries `queries(rows)` makes of the typed rows, read in one pass that also confirms
        detection; in the rare case where detection, having seen every row, types some file anew, the queries
        are made again of the confirmed rows. A file that fails while it is read is one line naming it."""
        rows, checks = self._provisional()
        asked = list(queries(rows))
        results = self._collected([*asked, *checks])
        if checks:
            settled = self._settled(results[len(asked) :])
            if settled != self._guessed():
                results = self._collected(list(queries(_typed(self.readers, settled))))
        return results[: len(asked)]

    def read(
        self, queries: Callable[[pl.LazyFrame], Sequence[pl.LazyFrame]] = lambda rows: ()
    ) -> tuple["RowAccounting", list[pl.DataFrame]]:
        """The row accounting and the results of `queries(accepted rows)`, from one read of the export."""
        return read_with(self.collect, queries)

    def hold(self, columns: Sequence[str]) -> "Held":
        """The typed rows' `columns` (those of them the export has), read once and held in memory, for several
        computations over one read of a file (a CSV file is parsed again by every read)."""
        kept = [name for name in columns if name in CANONICAL_SCHEMA]
        (rows,) = self.collect(lambda rows: [rows.select(kept)])
        return Held(rows=rows, names=self.names)

    def _guessed(self) -> list[Detected]:
        """What detection guessed of each file from its first rows."""
        return [g.detected for g in self.guesses]

    def _provisional(self) -> tuple[pl.LazyFrame, list[pl.LazyFrame]]:
        """The rows as typed from the guesses, and the checks that confirm them (in the guesses' order); a query
        that shares the checks' read of the file is made of these rows."""
        checks = [query for g in self.guesses for query in g.checks.values()]
        single_csv = len(self.sources) == 1 and self.sources[0].kind == "csv"
        if not (checks and single_csv):
            return _typed(self.readers, self._guessed()), checks
        rows = _typed(self.readers, self._guessed(), with_text=True)
        return rows, checks_of(self.readers[0], self.guesses[0], rows)

    def _settled(self, results: Sequence[pl.DataFrame]) -> list[Detected]:
        """What detection learns of each file from every row: the checks' results (in `_provisional`'s order)."""
        settled, at = [], 0
        for source_reader, guessed in zip(self.readers, self.guesses, strict=True):
            count = len(guessed.checks)
            settled.append(settle(source_reader, guessed, results[at : at + count]) if count else guessed.detected)
            at += count
        return settled

    def _collected(self, queries: Sequence[pl.LazyFrame]) -> list[pl.DataFrame]:
        """The queries collected in one pass; a file that fails while it is read is one line naming it."""
        try:
            return pl.collect_all(list(queries), engine="streaming")
        except pl.exceptions.PolarsError as exc:
            raise self.unreadable(exc) from None


@dataclass(frozen=True)
class Held:
    """An export's typed rows held in memory (see `Export.hold`): read as an export is, with no file to read."""

    rows: pl.DataFrame
    names: str
    sources: tuple[Source, ...] = ()

    def collect(self, queries: Callable[[pl.LazyFrame], Sequence[pl.LazyFrame]]) -> list[pl.DataFrame]:
        """The results of the queries `queries(rows)` makes of the held rows."""
        return pl.collect_all(list(queries(self.rows.lazy())), engine="streaming")

    def read(
        self, queries: Callable[[pl.LazyFrame], Sequence[pl.LazyFrame]] = lambda rows: ()
    ) -> tuple["RowAccounting", list[pl.DataFrame]]:
        """As `Export.read`."""
        return read_with(self.collect, queries)


def read_with(
    collect: Callable[[Callable[[pl.LazyFrame], Sequence[pl.LazyFrame]]], list[pl.DataFrame]],
    queries: Callable[[pl.LazyFrame], Sequence[pl.LazyFrame]],
) -> tuple["RowAccounting", list[pl.DataFrame]]:
    """The row accounting and the results of `queries(accepted rows)`, from one `collect`."""

    def with_states(rows: pl.LazyFrame) -> list[pl.LazyFrame]:
        by = ["normalised"] if "normalised" in rows.collect_schema().names() else []
        states = rows.group_by(*by, state=row_state(pl.lit(True))).agg(opportunities=pl.len())
        return [states, *queries(accepted(rows))]

    states, *results = collect(with_states)
    return accounting_from_states(states)[0], results


def accepted(rows: pl.LazyFrame) -> pl.LazyFrame:
    """The accepted rows of typed rows: neither skipped (blank or footer lines) nor rejected."""
    return rows.filter(~pl.col("skipped") & (pl.col("reject_code") == 0))


def load_export(patterns: Sequence[str], options: LoadOptions) -> Export:
    """Open, map and type every file; rejected rows are marked with their reasons, never dropped."""
    opened = [
        open_source(path, encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet)
        for path in expand_paths(patterns)
    ]
    sources = tuple(grouped(opened))
    if options.sheet is not None and not any(source.kind == "xlsx" for source in sources):
        raise UsageError(f"--sheet {options.sheet}: names a sheet of an Excel workbook, and no FILE is one")
    mappings = tuple(resolve_columns(s.headers, options.column_map, str(s.path)) for s in sources)
    readers = tuple(reader(s, m, options.parse) for s, m in zip(sources, mappings, strict=True))
    return Export(sources, mappings, readers, tuple(guess(r) for r in readers))


def _typed(readers: Sequence[Reader], detected: Sequence[Detected], *, with_text: bool = False) -> pl.LazyFrame:
    """Every file's typed rows, in order, duplicate opportunity ids rejected (see `validate.typed_rows` for
    `with_text`)."""
    typed = [typed_rows(r, found, with_text=with_text) for r, found in zip(readers, detected, strict=True)]
    rows = pl.concat(typed, how="vertical") if len(typed) > 1 else typed[0]
    # Finding first occurrences among millions of ids is costly, and detection already knows whether a single
    # file's ids are all distinct (several files are always checked).
    if len(typed) > 1 or not detected[0].ids_distinct:
        rows = _mark_duplicates(rows)
    return rows


def _mark_duplicates(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Reject every occurrence of an opportunity_id after its first, in file order (marking, beside the reason,
    those whose first occurrence is in an earlier file: see OF_EARLIER_FILE)."""
    kept_id = pl.when(~pl.col("skipped")).then(pl.col("opportunity_id"))
    duplicate = kept_id.is_not_null() & ~kept_id.is_first_distinct()
    # The first of its id in its own file: the id's first occurrence is in an earlier file.
    of_earlier_file = pl.struct(pl.col("source"), kept_id).is_first_distinct()
    code = pl.col("reject_code")
    marked = code | reasons.bit("duplicate opportunity_id")
    return rows.with_columns(
        reject_code=pl.when(duplicate & of_earlier_file)
        .then(marked | OF_EARLIER_FILE)
        .when(duplicate)
        .then(marked)
        .otherwise(code)
    )


@dataclass(frozen=True)
class RowAccounting:
    """Rows read = accepted + rejected + skipped; reasons count each rejected row once per reason it has."""

    read: int
    accepted: int
    rejected: int
    skipped: int
    reasons: dict[str, int]
    normalised: dict[str, int] = field(default_factory=dict)  # text values made alike, per column (if any)
    duplicates_of_earlier_files: int = 0  # rows rejected as repeating an id of an earlier file


# Every row has one state: 0 when accepted (and, for a report, inside its window), its reject_code when rejected,
# or one of these bits (above every reason's). Counting rows per state gives the row accounting.
STATE_SKIPPED = 1 << 30
STATE_OUTSIDE = 1 << 31  # accepted, but outside the report's window
STATE_LATER = STATE_OUTSIDE | 1  # accepted, expiring after the report's window
# A duplicate opportunity_id whose first occurrence is in an earlier file has this bit set in its reject_code
# beside the reason's (the reasons ignore it), so that the accounting can say so.
OF_EARLIER_FILE = 1 << 29
assert len(reasons.REASONS) < 29


def row_state(inside: pl.Expr, later: pl.Expr | None = None) -> pl.Expr:
    """The state of a row; `inside` says whether an accepted row counts (is in the window), `later` whether an
    accepted row outside it expires after it."""
    outside = pl.lit(STATE_OUTSIDE, dtype=reasons.CODE)
    if later is not None:
        outside = pl.when(later).then(pl.lit(STATE_LATER, dtype=reasons.CODE)).otherwise(outside)
    return (
        pl.when(pl.col("skipped"))
        .then(pl.lit(STATE_SKIPPED, dtype=reasons.CODE))
        .when(pl.col("reject_code") != 0)
        .then(pl.col("reject_code"))
        .when(inside)
        .then(pl.lit(0, dtype=reasons.CODE))
        .otherwise(outside)
    )


def accounting_from_states(states: pl.DataFrame) -> tuple[RowAccounting, int]:
    """The row accounting, and how many accepted rows are in the window, from (`state`, `opportunities`) rows
    (several rows may share a state), grouped by the rows' `normalised` too when they have it."""
    keys = ["state", "normalised"] if "normalised" in states.columns else ["state"]
    counts = states.group_by(keys).agg(pl.col("opportunities").sum())
    by_state: dict[int, int] = {}
    normalised = dict.fromkeys(TEXT_COLUMNS, 0)
    of_earlier_files = 0
    for state, n, *columns in counts.select("state", "opportunities", *keys[1:]).iter_rows():
        bare = int(state) & ~OF_EARLIER_FILE
        by_state[bare] = by_state.get(bare, 0) + int(n)
        of_earlier_files += int(n) if int(state) & OF_EARLIER_FILE else 0
        for i, column in enumerate(TEXT_COLUMNS):
            normalised[column] += int(n) if columns and (int(columns[0]) >> i) & 1 else 0
    read = sum(by_state.values())
    skipped = by_state.get(STATE_SKIPPED, 0)
    codes = {state: n for state, n in by_state.items() if state not in (0, STATE_SKIPPED, STATE_OUTSIDE, STATE_LATER)}
    rejected = sum(codes.values())
    accounting = RowAccounting(
        read=read,
        accepted=read - skipped - rejected,
        rejected=rejected,
        skipped=skipped,
        reasons=reasons.count_reasons(codes),
        normalised={column: n for column, n in normalised.items() if n},
        duplicates_of_earlier_files=of_earlier_files,
    )
    return accounting, by_state.get(0, 0)


def rejected_rows(export: Export) -> pl.DataFrame:
    """Every rejected row as the file had it, with `source`, `row` and `reject_reason` columns."""
    (marked,) = export.collect(
        lambda rows: [
            rows.filter(pl.col("reject_code") != 0).select(
                "source", "row", reject_reason=reasons.reject_reason(pl.col("reject_code"))
            )
        ]
    )
    parts = []
    for source in export.sources:
        # The file's own columns named like the ones added here are kept, renamed.
        own = {h: f"{h} (file)" for h in source.headers if h in ("source", "row", "reject_reason")}
        files = [str(path) for path in source.files] or [str(source.path)]
        original = source.frame.rename(own)
        if source.files:
            original = original.rename({FILE_COLUMN: "source", ROW_COLUMN: "row"}).with_columns(
                pl.col("row").cast(pl.Int64)
            )
        else:
            original = original.with_row_index("row", offset=1).with_columns(source=pl.lit(files[0]))
        original = original.with_columns(pl.all().exclude("row").cast(pl.String))
        parts.append(
            marked.lazy()
            .filter(pl.col("source").is_in(files))
            .join(original, on=["source", "row"], how="left", maintain_order="left")
        )
    frame = pl.concat(parts, how="diagonal_relaxed").collect()
    # Columns of fields beyond the header are kept up to the last one a rejected row fills.
    extras = list(dict.fromkeys(e for source in export.sources for e in source.extras if e in frame.columns))
    filled = [i for i, e in enumerate(extras) if frame[e].null_count() < frame.height]
    empty = extras[filled[-1] + 1 :] if filled else extras
    return frame.select("source", "row", pl.all().exclude("source", "row", "reject_reason", *empty), "reject_reason")
