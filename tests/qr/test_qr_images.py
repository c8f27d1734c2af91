"""QR images: payload -> PNG/SVG with segno -> zxing-cpp reads the same payload back."""

import io
import struct

import pytest
from PIL import Image, ImageFilter

from inzira.qr.emv import AlternateLanguage, MerchantQr, decode, encode_merchant_qr
from inzira.qr.images import QrImageError, payload_png, payload_svg, read_payloads

CHINESE = encode_merchant_qr(
    MerchantQr(
        merchant_id="M-000123",
        name="Kigali Heights Deli",
        city="Kigali",
        mcc="5812",
        amount_minor=25000,
        bill_number="INV-77",
        alternate=AlternateLanguage("zh", "基加利高地熟食店", "基加利"),
    )
)
SPEC_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***"
    "0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)


@pytest.mark.parametrize("payload", [CHINESE, SPEC_EXAMPLE])
def test_png_round_trip(payload):
    png = payload_png(payload)
    assert png.startswith(b"\x89PNG")
    assert read_payloads(png) == [payload]
    assert decode(read_payloads(png)[0]).language_template is not None


def test_svg():
    svg = payload_svg(CHINESE)
    assert "<svg" in svg and "</svg>" in svg


def test_photo_like_image(tmp_path):
    """A blurred, rotated, JPEG-compressed copy on a grey background, read from a file."""
    symbol = Image.open(io.BytesIO(payload_png(CHINESE, scale_px=6))).convert("L")
    background = Image.new("L", (symbol.width * 2, symbol.height * 2), 170)
    background.paste(symbol, (symbol.width // 3, symbol.height // 2))
    photo = background.rotate(90, expand=True).filter(ImageFilter.GaussianBlur(1))
    path = tmp_path / "photo.jpg"
    photo.save(path, quality=70)
    assert read_payloads(path) == [CHINESE]


@pytest.mark.parametrize("kind", ["TIFF", "PCX", "ICO", "EPS", "PPM"])
def test_only_the_formats_phones_and_screenshots_make_are_opened(kind):
    """Pillow tried every reader it has on an upload: a QR in a TIFF or PCX was read, an EPS would run
    Ghostscript where it is installed. A valid symbol in any other format is refused before a reader runs."""
    symbol = Image.open(io.BytesIO(payload_png(CHINESE))).convert("L" if kind != "ICO" else "RGBA")
    made = io.BytesIO()
    if kind == "EPS":
        made.write(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\nshowpage\n")
    else:
        symbol.save(made, format=kind)
    with pytest.raises(QrImageError) as info:
        read_payloads(made.getvalue())
    assert info.value.code == "bad_image"
    for kind in ("PNG", "JPEG", "WEBP", "GIF", "BMP"):
        made = io.BytesIO()
        symbol.convert("L").save(made, format=kind, **({"quality": 95} if kind in ("JPEG", "WEBP") else {}))
        assert read_payloads(made.getvalue()) == [CHINESE], kind


def test_no_qr_and_not_an_image(tmp_path):
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    assert read_payloads(blank.getvalue()) == []
    with pytest.raises(QrImageError) as info:
        read_payloads(b"not an image")
    assert info.value.code == "bad_image"
    with pytest.raises(QrImageError) as info:
        read_payloads(tmp_path / "missing.png")
    assert info.value.code == "bad_image"


def _webp(png: bytes) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).save(out, format="WEBP")
    return out.getvalue()


@pytest.mark.parametrize("damage", [
    lambda png: png[:24],  # cut inside the header chunk: Pillow fails while opening it
    lambda png: png[:33] + struct.pack(">I", 16) + png[37:],  # a wrong chunk length: "broken PNG file" on load
    lambda png: _webp(png)[:40],  # a cut WebP: its decoder cannot start
], ids=["cut_png_header", "broken_png_chunk", "cut_webp"])
def test_a_damaged_image_is_a_bad_image(damage):
    with pytest.raises(QrImageError) as info:
        read_payloads(damage(payload_png("hello")))
    assert info.value.code == "bad_image"


def test_payload_too_long_for_a_symbol():
    with pytest.raises(QrImageError) as info:
        payload_png("x" * 4000)
    assert info.value.code == "too_long"
