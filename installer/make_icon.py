"""Draw the BranchDesk app icon: ``resources/icons/branchdesk.png`` and ``.ico``.

A rounded square in bank green/teal with a white 网 (from the bundled
WenQuanYi Micro Hei font) standing on a white "desk" bar. Every size of the
multi-size .ico is rendered on its own from a 16x supersampled drawing, with
heavier strokes at the small sizes so the glyph stays legible at 16 px.

    python installer/make_icon.py        # rewrites both files

Needs Pillow (installed with PyInstaller's build extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"

TOP = (20, 150, 120)  # teal green
BOTTOM = (8, 96, 84)  # deeper bank green
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
PNG_SIZE = 512
SUPERSAMPLE = 4


def _gradient(size: int) -> Image.Image:
    top = Image.new("RGBA", (size, size), (*TOP, 255))
    bottom = Image.new("RGBA", (size, size), (*BOTTOM, 255))
    mask = Image.linear_gradient("L").resize((size, size))
    return Image.composite(bottom, top, mask)


def _square(big: int, margin: int, radius: int) -> Image.Image:
    shape = Image.new("L", (big, big), 0)
    ImageDraw.Draw(shape).rounded_rectangle(
        (margin, margin, big - 1 - margin, big - 1 - margin), radius=radius, fill=255
    )
    img = _gradient(big)
    img.putalpha(shape)
    return img


def _draw_large(size: int) -> Image.Image:
    """32 px and up: the font's 网 above a desk."""
    big = size * SUPERSAMPLE
    s = big / 1024  # design units: a 1024 grid
    img = _square(big, round(40 * s), round(220 * s))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), round(540 * s))
    d.text(
        (big / 2, big * 0.43),
        "网",
        font=font,
        fill="white",
        anchor="mm",
        stroke_width=round(8 * s),
        stroke_fill="white",
    )
    # The desk: a bar with two short legs under the glyph.
    bar_top, bar_h = round(728 * s), round(48 * s)
    left, right = round(252 * s), round(772 * s)
    d.rounded_rectangle((left, bar_top, right, bar_top + bar_h), radius=round(20 * s), fill="white")
    leg_w, leg_h = round(40 * s), round(96 * s)
    for x in (left + round(40 * s), right - round(40 * s) - leg_w):
        d.rectangle((x, bar_top + bar_h - 2, x + leg_w, bar_top + bar_h + leg_h), fill="white")
    return img.resize((size, size), Image.Resampling.LANCZOS)


def _draw_small(size: int) -> Image.Image:
    """Below 32 px the glyph is drawn as strokes on the pixel grid: 冂 around an X."""
    k = 16  # supersampling for clean anti-aliased edges
    big = size * k
    img = _square(big, 0, round(size * 0.22 * k))
    d = ImageDraw.Draw(img)
    px = lambda v: round(v) * k  # noqa: E731 - snap to whole pixels, then supersample
    w = (1 if size < 20 else 2) * k  # the frame: whole pixels wide, so it stays crisp
    left, right = px(size * 0.19), px(size * 0.81)
    top, bottom = px(size * 0.2), px(size * 0.82)
    d.rectangle((left, top, right - 1, top + w - 1), fill="white")
    d.rectangle((left, top, left + w - 1, bottom - 1), fill="white")
    d.rectangle((right - w, top, right - 1, bottom - 1), fill="white")
    # One X inside (two would merge into a blot below 32 px), a little thinner.
    pad = max(1, round(size * 0.06)) * k
    x0, x1 = left + w + pad - k // 2, right - w - pad + k // 2
    y0, y1 = top + w + pad - k // 2, bottom - pad + k // 2
    xw = round((1.3 if size < 20 else 1.6) * k)
    d.line((x0, y0, x1, y1), fill="white", width=xw)
    d.line((x1, y0, x0, y1), fill="white", width=xw)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def draw(size: int) -> Image.Image:
    """The icon at ``size`` x ``size`` pixels."""
    return _draw_large(size) if size >= 32 else _draw_small(size)


def main() -> int:
    ICONS.mkdir(parents=True, exist_ok=True)
    draw(PNG_SIZE).save(ICONS / "branchdesk.png", optimize=True)
    frames = [draw(n) for n in ICO_SIZES]
    frames[-1].save(
        ICONS / "branchdesk.ico",
        format="ICO",
        sizes=[(n, n) for n in ICO_SIZES],
        append_images=frames[:-1],
    )
    for f in ("branchdesk.png", "branchdesk.ico"):
        print(f"{ICONS / f}: {(ICONS / f).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
