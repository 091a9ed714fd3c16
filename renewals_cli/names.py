"""Names shared by the command line and the core, importable without loading Polars (keeps `--help` fast)."""

from enum import StrEnum

GROUPINGS: tuple[str, ...] = (
    "overall", "segment", "rep", "batch", "rep,segment", "batch,segment", "batch,rep",
    "partner", "partner,segment", "csm",
)  # fmt: skip
SEGMENTS: tuple[str, ...] = ("strategic", "enterprise", "smb")
# The groupings of a quarter's figures (`renewals forecast` and `renewals changes`): the team, per rep, per segment.
QUARTER_GROUPINGS: tuple[str, ...] = ("overall", "rep", "segment")


class Format(StrEnum):
    """The values of `--format`."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    parquet = "parquet"
    html = "html"
    xlsx = "xlsx"


class ValidationFormat(StrEnum):
    """The values of `validate --format`: the formats a validation is written in."""

    table = "table"
    json = "json"
    markdown = "markdown"


# Formats people read: the headline and every table; the others carry one grouping for machines.
HUMAN_FORMATS = frozenset({Format.table, Format.markdown, Format.html, Format.xlsx})
# Formats written as bytes: they need --output.
BINARY_FORMATS = frozenset({Format.parquet, Format.xlsx})
