"""Output formats: one small module per format behind one interface, `render(document) -> Output`.

The `Format` enum lives in `names`, so that `--help` need not import the renderers.
"""

import importlib
from typing import TYPE_CHECKING, TypeAlias

from renewals_cli.names import Format
from renewals_cli.render.document import Document

if TYPE_CHECKING:  # Rich is imported by the renderers that make its renderables (see `console`)
    from rich.console import RenderableType

Output: TypeAlias = "str | bytes | RenderableType"

# Each format's module, imported when that format is asked for (XlsxWriter alone takes a tenth of a second).
RENDERERS: dict[Format, str] = {fmt: fmt.value for fmt in Format}


def render(document: Document, fmt: Format) -> Output:
    """The document in the given format."""
    module = importlib.import_module(f"renewals_cli.render.{RENDERERS[fmt]}")
    output: Output = module.render(document)
    return output
