"""The bundled CJK font for reportlab (the same file the screen uses)."""

from __future__ import annotations

from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources import CJK_FONT, resource_path

PDF_FONT = "WQYMicroHei"


@cache
def register_pdf_font() -> str:
    """Register WenQuanYi Micro Hei (face 0 of the .ttc) with reportlab; return its name.

    reportlab embeds a subset of the glyphs used, so the PDF prints the same on
    any PC, with or without Chinese fonts installed.
    """
    pdfmetrics.registerFont(TTFont(PDF_FONT, str(resource_path(CJK_FONT)), subfontIndex=0))
    return PDF_FONT
