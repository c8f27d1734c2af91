"""QR symbols for payloads (SVG, PNG with segno) and payloads from photos, screenshots or our own SVGs (zxing-cpp)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import segno
import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from inzira.qr import svg_image

# EMVCo: byte mode; error level M is what national schemes print. Scale 8 px/module with the standard
# 4-module quiet zone scans well from a phone at arm's length and from a screenshot.
ERROR_LEVEL = "m"
SCALE_PX = 8
BORDER_MODULES = 4
IMAGE_BYTES_MAX = 20 * 1024 * 1024  # a phone photo is a few MB; refuse anything absurd before decoding it
IMAGE_PIXELS_MAX = 50_000_000  # ~7000 x 7000
PAYLOADS_MAX = 16  # QR codes returned from one image
# What phones and screenshots make (Pillow's JPEG reader also opens a camera's MPO). Pillow would otherwise try
# each of its ~40 readers on an upload, some rarely exercised and one (EPS) running Ghostscript where installed.
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
# Pillow warns (on stderr, in the CLI and the server's log) from 89 million pixels; IMAGE_PIXELS_MAX refuses
# such images with a stable error code instead, so the warning only adds noise.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


class QrImageError(ValueError):
    """An image that cannot be made or read; ``code`` is stable: too_long, bad_image, too_large."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_json(self) -> dict[str, dict[str, str | None]]:
        return {"error": {"code": self.code, "tag": None, "message": self.message}}


def qr_symbol(payload: str) -> segno.QRCode:
    try:
        # UTF-8 bytes without an ECI header: what EMVCo payloads are and what every wallet expects.
        return segno.make_qr(payload, error=ERROR_LEVEL, mode="byte", encoding="utf-8", boost_error=False)
    except segno.DataOverflowError as exc:
        raise QrImageError("too_long", f"the payload does not fit in a QR code at level M: {exc}") from exc


def payload_svg(payload: str, *, scale_px: int = SCALE_PX, border_modules: int = BORDER_MODULES) -> str:
    out = io.BytesIO()
    qr_symbol(payload).save(out, kind="svg", scale=scale_px, border=border_modules, xmldecl=False)
    return out.getvalue().decode("utf-8")


def payload_png(payload: str, *, scale_px: int = SCALE_PX, border_modules: int = BORDER_MODULES) -> bytes:
    out = io.BytesIO()
    qr_symbol(payload).save(out, kind="png", scale=scale_px, border=border_modules)
    return out.getvalue()


def _load(image: bytes | str | Path) -> Image.Image:
    if isinstance(image, bytes):
        data = image
    else:
        path = Path(image)
        try:
            if path.stat().st_size > IMAGE_BYTES_MAX:
                raise QrImageError("too_large", f"{path} is over {IMAGE_BYTES_MAX} bytes")
            data = path.read_bytes()
        except OSError as exc:
            raise QrImageError("bad_image", f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > IMAGE_BYTES_MAX:
        raise QrImageError("too_large", f"the image is over {IMAGE_BYTES_MAX} bytes")
    if svg_image.is_svg(data):
        try:
            return svg_image.draw(data)
        except svg_image.SvgRefused as exc:
            raise QrImageError("bad_image", str(exc)) from None
    try:
        opened = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except UnidentifiedImageError as exc:
        raise QrImageError("bad_image", "not an image format read here: PNG, JPEG, WebP, GIF, BMP, or the SVG "
                                        "`inzira qr make --svg` writes") from exc
    except Image.DecompressionBombError as exc:
        raise QrImageError("too_large", str(exc)) from exc
    except (OSError, SyntaxError, ValueError) as exc:  # a known format, damaged in its header
        raise QrImageError("bad_image", f"not a readable image: {exc}") from exc
    width, height = opened.size
    if width * height > IMAGE_PIXELS_MAX:
        raise QrImageError("too_large", f"the image has {width}x{height} pixels, over {IMAGE_PIXELS_MAX}")
    try:
        # Phone photos are often stored sideways with an EXIF rotation; grayscale is all the reader needs.
        return ImageOps.exif_transpose(opened).convert("L")
    except (OSError, SyntaxError, ValueError) as exc:  # corrupt pixel data ("broken PNG file": SyntaxError)
        raise QrImageError("bad_image", f"not a readable image: {exc}") from exc


def _text(barcode: zxingcpp.Barcode) -> str:
    try:
        return bytes(barcode.bytes).decode("utf-8")
    except UnicodeDecodeError:
        return barcode.text  # not UTF-8: let zxing-cpp apply the ECI or its charset guess


def read_payloads(image: bytes | str | Path) -> list[str]:
    """The text of every QR code found in a photo or screenshot (PNG, JPEG, ...), at most PAYLOADS_MAX."""
    found = zxingcpp.read_barcodes(_load(image), formats=zxingcpp.BarcodeFormat.QRCode)
    return [_text(barcode) for barcode in found[:PAYLOADS_MAX]]
