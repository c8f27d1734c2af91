"""The SVG that ``inzira qr make --svg`` writes (segno's), drawn back into pixels for the QR reader.

segno draws a symbol as one path of horizontal module lines, in module units: ``M4 4.5h7m7 0h7m-21 1h1...``
(moves ``M``/``m`` to a module row's middle, ``h`` a run of dark modules). That is all this draws: no SVG
renderer is among the project's packages, and a general one is a large thing to add for one file format. Any other
SVG is refused, saying which formats are read.
"""

from __future__ import annotations

import re

from PIL import Image, ImageDraw

SVG_BYTES_MAX = 1024 * 1024  # a version 40 symbol is ~60 kB of path
MODULES_MAX = 400  # version 40 is 177 modules, plus any quiet zone segno writes
PIXELS_PER_MODULE = 8
QUIET_MODULES = 4  # drawn around whatever quiet zone the file has: a reader needs one
NOT_OURS = ("an SVG is read only as `inzira qr make --svg` writes it; export the QR code as PNG or JPEG "
            "(or WebP, GIF, BMP) to read it")

_SVG_START = re.compile(rb"\s*(<\?xml[^>]{0,200}\?>\s*)?<svg[\s>]")
_PATH = re.compile(rb'<path\b[^>]*\sd="([Mmh0-9. -]{1,%d})"' % SVG_BYTES_MAX)
# At most four digits a number (MODULES_MAX is three): a longer one is not segno's, and never reaches int().
_STEP = re.compile(r"([Mm])(-?\d{1,4}(?:\.5)?) (-?\d{1,4}(?:\.5)?)|h(\d{1,4})")


class SvgRefused(ValueError):
    """An SVG this module does not draw; the message says which formats are read."""


def is_svg(data: bytes) -> bool:
    return _SVG_START.match(data[:512]) is not None


def draw(data: bytes) -> Image.Image:
    """The symbol of a segno SVG as a grayscale image, black modules on white with a quiet zone."""
    if len(data) > SVG_BYTES_MAX:
        raise SvgRefused(f"the SVG is over {SVG_BYTES_MAX} bytes")
    if b"<!" in data:  # a DOCTYPE or an entity: not what segno writes, and never expanded here
        raise SvgRefused(NOT_OURS)
    paths = _PATH.findall(data)
    if len(paths) != 1:
        raise SvgRefused(NOT_OURS)
    runs = _runs(paths[0].decode("ascii"))
    size = QUIET_MODULES * 2 + max(max(x + n, row + 1) for x, row, n in runs)
    image = Image.new("L", (size * PIXELS_PER_MODULE, size * PIXELS_PER_MODULE), 255)
    pen = ImageDraw.Draw(image)
    for x, row, n in runs:
        left, top = (QUIET_MODULES + x) * PIXELS_PER_MODULE, (QUIET_MODULES + row) * PIXELS_PER_MODULE
        pen.rectangle((left, top, left + n * PIXELS_PER_MODULE - 1, top + PIXELS_PER_MODULE - 1), fill=0)
    return image


def _runs(path: str) -> list[tuple[int, int, int]]:
    """(first column, row, modules) of each dark run the path draws."""
    x, y = 0.0, 0.0
    runs: list[tuple[int, int, int]] = []
    at = 0
    for step in _STEP.finditer(path):
        if step.start() != at:
            raise SvgRefused(NOT_OURS)
        at = step.end()
        if step.group(4) is not None:
            n = int(step.group(4))
            row = y - 0.5
            inside = 0 <= x and x + n <= MODULES_MAX and 0 <= row < MODULES_MAX
            if not (inside and x.is_integer() and row.is_integer()):
                raise SvgRefused(NOT_OURS)
            runs.append((int(x), int(row), n))
            x += n
        elif step.group(1) == "M":
            x, y = float(step.group(2)), float(step.group(3))
        else:
            x, y = x + float(step.group(2)), y + float(step.group(3))
        if abs(x) > MODULES_MAX or abs(y) > MODULES_MAX:
            raise SvgRefused(NOT_OURS)
    if at != len(path) or not runs:
        raise SvgRefused(NOT_OURS)
    return runs
