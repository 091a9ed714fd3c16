"""The SPEC §3 KPIs per rep computed by DuckDB straight from the file: the tool a power user would pick instead.

    python benchmarks/duckdb_kpis.py FILE --style canonical|salesforce --as-of 2026-11-25 [--output PATH]

DuckDB reads the CSV or Parquet itself (no pandas, no Arrow hand-off); for the Salesforce style it parses the
`03/31/2026` dates while reading and the `$1,234.50` amounts in SQL. Assumes a clean export (as `renewals sample`
writes): unlike `renewals`, it validates nothing and rejects no row.
"""

import csv
import sys
from pathlib import Path

import duckdb
from common import DATES, HEADERS, MONEY, US_DATE, arguments


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def source(path: str, style: str) -> str:
    """A SELECT of the canonical columns, typed, from the file."""
    headers = HEADERS[style]
    if path.endswith(".parquet"):
        relation = f"read_parquet({literal(path)})"
    else:
        # Named types: the sniffer would read Salesforce ids such as `0015e0000000129` as numbers if it could.
        types = ", ".join(f"{literal(headers[c])}: 'VARCHAR'" for c in ("account_id", "rep", "status"))
        types += ", " + ", ".join(f"{literal(headers[c])}: 'DATE'" for c in DATES)
        if style == "canonical":
            types += ", " + ", ".join(f"{literal(headers[c])}: 'DOUBLE'" for c in MONEY)
        dateformat = f", dateformat = {literal(US_DATE)}" if style == "salesforce" else ""
        relation = f"read_csv({literal(path)}, header = true, types = {{{types}}}{dateformat})"

    def column(name: str) -> str:
        if style == "salesforce" and name in MONEY:  # `$1,234.50`
            return f"CAST(regexp_replace({quoted(headers[name])}, '[$,]', '', 'g') AS DOUBLE) AS {name}"
        return f"{quoted(headers[name])} AS {name}"

    return f"SELECT {', '.join(column(name) for name in headers)} FROM {relation}"


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    con = duckdb.connect()
    con.execute(f"SET VARIABLE as_of = DATE '{args.as_of.isoformat()}'")
    con.execute(f"CREATE VIEW opportunities AS {source(args.file, args.style)}")
    query = (Path(__file__).parent / "duckdb_kpis.sql").read_text()
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    with Path(args.output).open("w", newline="") if args.output != "-" else sys.stdout as out:
        writer = csv.writer(out)
        writer.writerow(names)
        # repr: every digit of a float, as `renewals` writes them
        writer.writerows(["" if v is None else repr(v) if isinstance(v, float) else v for v in row] for row in rows)


if __name__ == "__main__":
    main()
