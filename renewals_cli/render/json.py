"""JSON: the run's facts and every table's rows, rates as fractions, nulls as null."""

import datetime as dt
import json

from renewals_cli.render.document import Document


def _default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def render(document: Document) -> str:
    """`{facts..., <section name>: [rows...]}`, one key per table."""
    payload = dict(document.facts)
    for section in document.sections:
        payload[section.name] = section.frame.to_dicts()
    return json.dumps(payload, indent=2, default=_default, allow_nan=False) + "\n"
