"""`renewals` with one speed choice undone, for `choices.py` to time against the command as it is.

    python benchmarks/variant.py CHOICE ARGS...

Each choice is undone in this process only (`as is` undoes none), by putting back the plain code it stands for;
then the command line runs as the installed command runs it (`cli.entry`). CHOICES says what each one is.
"""

import sys
from collections.abc import Callable
from dataclasses import replace


def read_twice() -> None:
    """The terminal report and its forecast each read the export, rather than the rows held once for both."""
    from renewals_cli.load.export import Export

    Export.hold = lambda self, columns: self  # type: ignore[assignment,method-assign,return-value]


def checks_apart() -> None:
    """Detection's checks over every row of a CSV file read the file by themselves, not the rows' own text."""
    import polars as pl

    from renewals_cli.load import export

    def provisional(self: export.Export) -> tuple[pl.LazyFrame, list[pl.LazyFrame]]:
        checks = [query for g in self.guesses for query in g.checks.values()]
        return export._typed(self.readers, [g.detected for g in self.guesses]), checks

    export.Export._provisional = provisional  # type: ignore[method-assign]


def duplicates_marked() -> None:
    """Every row checked for a repeated opportunity_id, even when detection found every id distinct."""
    from renewals_cli.load import export

    typed = export._typed

    def always_marked(readers, detected, *, with_text=False):  # type: ignore[no-untyped-def]
        return typed(readers, [replace(found, ids_distinct=False) for found in detected], with_text=with_text)

    export._typed = always_marked


CHOICES: dict[str, Callable[[], None]] = {
    "as is": lambda: None,  # every choice made: the command as it is, started the same way as the variants
    "read twice": read_twice,
    "checks apart": checks_apart,
    "duplicates marked": duplicates_marked,
}


def main() -> None:
    from renewals_cli import cli

    choice, args = sys.argv[1], sys.argv[2:]
    CHOICES[choice]()
    sys.argv = ["renewals", *args]
    cli.entry()


if __name__ == "__main__":
    main()
