"""The image of an electronic seal: a round red seal drawn with Pillow.

The owner's name runs along the upper arc, a five-pointed star sits in the middle and the
seal's kind (行政审批专用章 …) is written straight below it, the way a Chinese official seal
looks. The background is transparent, so the image can be laid over a document's text.
"""

from __future__ import annotations

import functools
import io
import math

from PIL import Image, ImageDraw, ImageFont

from onestop.core import pdf

RED = (212, 16, 16, 255)
SIZE = 600  # pixels; placed at about 40 mm it prints at ~380 dpi


@functools.cache
def _font_file() -> tuple[str, int] | None:
    choice = pdf.cjk_font()
    if choice.path is None:
        return None
    for path, index in pdf.CANDIDATE_FONTS:
        if path == choice.path:
            return path, index
    return choice.path, 0


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = _font_file()
    if found is None:
        return ImageFont.load_default(size)
    path, index = found
    return ImageFont.truetype(path, size, index=index)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=RED)


def seal_png(*, owner: str, kind: str, size: int = SIZE) -> bytes:
    """The PNG of a round seal with ``owner`` in the arc and ``kind`` below the star."""
    scale = size / SIZE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    border = 16 * scale
    draw.ellipse(
        (border / 2, border / 2, size - border / 2, size - border / 2),
        outline=RED,
        width=round(border),
    )
    _star(draw, centre, centre, 92 * scale)

    # The name along the arc, centred on the top, at most 224 degrees wide.
    chars = list(owner.strip()) or [" "]
    glyph = round((74 if len(chars) <= 10 else 60 if len(chars) <= 14 else 46) * scale)
    font = _font(glyph)
    span = min(224.0, 17.0 * len(chars) + 20.0)
    arc_radius = size / 2 - border - glyph * 0.75
    step = span / max(len(chars) - 1, 1)
    start = -span / 2 if len(chars) > 1 else 0.0
    for i, ch in enumerate(chars):
        angle = start + i * step  # degrees clockwise from the top
        tile = Image.new("RGBA", (glyph * 2, glyph * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((glyph, glyph), ch, font=font, fill=RED, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        rad = math.radians(angle)
        x = centre + arc_radius * math.sin(rad)
        y = centre - arc_radius * math.cos(rad)
        image.alpha_composite(tile, (round(x - glyph), round(y - glyph)))

    # The kind, straight, below the star.
    label = kind.strip()
    if label:
        label_size = round((48 if len(label) <= 7 else 38) * scale)
        draw.text(
            (centre, centre + 165 * scale), label, font=_font(label_size), fill=RED, anchor="mm"
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_check(data: bytes, *, max_bytes: int = 2 * 1024 * 1024) -> tuple[int, int]:
    """Width and height of an uploaded seal PNG; ``ValueError`` if it is not a usable PNG."""
    if len(data) > max_bytes:
        raise ValueError("too large")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG")
    with Image.open(io.BytesIO(data)) as img:
        img.verify()
    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
    if not (64 <= width <= 4000 and 64 <= height <= 4000):
        raise ValueError("size")
    return width, height
