"""Names shared by the command line and the core, importable without loading Polars (keeps `--help` fast)."""

from enum import StrEnum

GROUPINGS: tuple[str, ...] = ("overall", "segment", "rep", "batch", "rep,segment", "batch,segment", "batch,rep")
SEGMENTS: tuple[str, ...] = ("strategic", "enterprise", "smb")


class Format(StrEnum):
    """The values of `--format`."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    parquet = "parquet"
