"""`python -m renewals_cli` runs the `renewals` command."""

from renewals_cli.cli import entry

entry()
