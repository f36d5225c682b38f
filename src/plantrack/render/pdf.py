"""The report as PDF: the HTML report laid out on A4 by its print stylesheet, through WeasyPrint
where it is installed (the optional extra ``plantrack[pdf]``)."""

from __future__ import annotations

from typing import Any

from plantrack.errors import PlantrackError
from plantrack.render import html
from plantrack.render.labels import t
from plantrack.report import Report


def engine() -> Any:
    """WeasyPrint's HTML class, or an error saying how to install it. WeasyPrint needs Pango from
    the system as well: without it the import fails with OSError, which says the same to the user."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:
        raise PlantrackError(t("pdf_missing"), hint=t("pdf_hint")) from e
    return HTML


def render(r: Report) -> bytes:
    """The same page as ``--format html``, printed: A4, its print stylesheet, fonts of the system."""
    pdf: bytes = engine()(string=html.render(r)).write_pdf()
    return pdf
