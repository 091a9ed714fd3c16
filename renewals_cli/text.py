"""Text from customer data made inert before it reaches a terminal, a log line or a one-line cell."""

import re

ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b.?"  # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]",  # the one-byte (C1) CSI
    re.S,
)
LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# C0 and C1 control characters, and the bidirectional overrides and isolates that reorder what a reader sees.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """Text from customer data made inert for a terminal or a Markdown table: escape sequences and control
    characters removed, line breaks and tabs turned into spaces."""
    text = ESCAPE_SEQUENCE.sub("", text)
    text = LINE_BREAK.sub(" ", text).replace("\t", " ")
    return CONTROL.sub("", text)
