"""Print-ready HTML and PDF of statement tables, from one Jinja2 template.

``templates/statements.html`` lays out each table from a new page (A4; landscape
for a table of more figure columns than a portrait page holds), a table longer than
a page repeating its title, unit and column header on the next, every page numbered;
it draws each table with the ``statement_table`` macro of
``templates/statement_table.html``, which another Jinja environment with the filters
``phrases`` and ``figure`` can import.  The PDF is that same HTML typeset by WeasyPrint, in the
system's Noto Sans CJK JP (Debian: ``fonts-noto-cjk``) where it is installed, else in the
regular and bold weights the packages ``noto-cjk-sans-jp-regular`` and
``noto-cjk-sans-jp-bold`` carry, embedded as subsets.  A PDF whose text some character of
no font could draw (a box in place of each kanji) is refused, not written.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import BinaryIO

from jinja2 import Environment, PackageLoader, select_autoescape

from yosan_ledger.plugins.core.messages import _, reason
from yosan_ledger.reports.rendering.format import Format, Options, Unavailable, text_report
from yosan_ledger.reports.rendering.phrases import breakable
from yosan_ledger.reports.rendering.text import figure
from yosan_ledger.reports.tables.table import Table

TEMPLATES = "templates"
PAGE = "statements.html"
# The family the stylesheet names after the system's own Japanese fonts.
BUNDLED_FAMILY = "Yosan Noto Sans CJK JP"
FONT_HINT = _(
    "pip install noto-cjk-sans-jp-regular noto-cjk-sans-jp-bold (the fonts yosan-ledger "
    "depends on), "
    "or on Debian apt-get install fonts-noto-cjk"
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are not installed."""


@cache
def environment() -> Environment:
    templates = Environment(
        loader=PackageLoader(__package__, TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters["phrases"] = breakable
    templates.filters["figure"] = figure
    return templates


def render_html(tables: Sequence[Table], *, title: str = "") -> str:
    """A page per table, ready to print or to open in a browser."""
    page = environment().get_template(PAGE)
    return page.render(tables=tables, title=title or (tables[0].title if tables else ""))


def bundled_font(weight: str = "normal") -> Path | None:
    """The Japanese font of ``weight`` (normal, bold) a Python package carries, if installed."""
    try:
        if weight == "bold":
            from noto_cjk_sans_jp_bold import FONT_PATH
        else:
            from noto_cjk_sans_jp_regular import FONT_PATH
    except ImportError:
        return None
    path = Path(str(FONT_PATH))
    return path if path.is_file() else None


def bundled_faces() -> str:
    """The @font-face rules of the bundled family: each weight a package carries.  Bold
    needs its own face: WeasyPrint draws a missing bold in the regular weight."""
    faces = []
    for weight in ("normal", "bold"):
        if (font := bundled_font(weight)) is not None:
            faces.append(
                f'@font-face {{ font-family: "{BUNDLED_FAMILY}"; font-weight: {weight}; '
                f'src: url("{font.as_uri()}"); }}'
            )
    return "\n".join(faces)


def write_pdf(tables: Sequence[Table], stream: BinaryIO, *, title: str = "") -> None:
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            _(
                "PDF output needs WeasyPrint and its libraries (Debian: apt-get install "
                "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk): {error}",
                error=error,
            )
        ) from None
    fonts = FontConfiguration()
    stylesheets = []
    if faces := bundled_faces():
        stylesheets.append(weasyprint.CSS(string=faces, font_config=fonts))
    document = weasyprint.HTML(string=render_html(tables, title=title)).render(
        stylesheets=stylesheets, font_config=fonts
    )
    pdf = document.write_pdf()
    # WeasyPrint records each character a font had no glyph for: drawn as a box.
    missing = sorted({chr(code) for used in document.fonts.values() for code in used.missing})
    if missing:
        raise PdfUnavailable(
            _(
                "no installed font can draw {characters} ({count} characters); "
                "the PDF would show boxes. Install a Japanese font: {hint}",
                characters="".join(missing[:10]) + ("…" if len(missing) > 10 else ""),
                count=len(missing),
                hint=FONT_HINT,
            )
        )
    stream.write(pdf)


def _html(tables: Sequence[Table], options: Options) -> str:
    return render_html(tables, title=options.title)


def _pdf(tables: Sequence[Table], stream: BinaryIO, options: Options) -> None:
    try:
        write_pdf(tables, stream, title=options.title)
    except PdfUnavailable as error:
        raise Unavailable(reason(error)) from None


FORMATS = (
    Format("html", (".html", ".htm"), report=text_report(_html), order=40),
    Format("pdf", (".pdf",), binary=True, report=_pdf, order=50),
)
