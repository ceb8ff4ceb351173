"""Print-ready HTML and PDF of statement tables, from one Jinja2 template.

``templates/statements.html`` lays out one page per table (A4; landscape for the
tables with a column per segment) and draws each with the ``statement_table``
macro of ``templates/statement_table.html``, which the Fava extension can import
as it is.  The PDF is that same HTML typeset by WeasyPrint; Japanese needs a CJK
font installed (Debian: ``fonts-noto-cjk``), which the stylesheet asks for first.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import BinaryIO

from jinja2 import Environment, PackageLoader, select_autoescape

from yosan_ledger.reports.tables.table import Table

TEMPLATES = "templates"
PAGE = "statements.html"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are not installed."""


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader(__package__, TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(tables: Sequence[Table], *, title: str = "") -> str:
    """A page per table, ready to print or to open in a browser."""
    page = environment().get_template(PAGE)
    return page.render(tables=tables, title=title or (tables[0].title if tables else ""))


def write_pdf(tables: Sequence[Table], stream: BinaryIO, *, title: str = "") -> None:
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDF output needs WeasyPrint and its libraries (Debian: apt-get install "
            f"libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk): {error}"
        ) from None
    weasyprint.HTML(string=render_html(tables, title=title)).write_pdf(stream)
