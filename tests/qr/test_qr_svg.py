"""`inzira qr read` reads the SVG `inzira qr make --svg` writes, and refuses any other SVG saying which formats it
reads."""

import io
import json

import pytest
import segno
from typer.testing import CliRunner

from inzira.cli.main import app
from inzira.qr.images import QrImageError, payload_svg, read_payloads
from inzira.qr.svg_image import SVG_BYTES_MAX

runner = CliRunner()
MAKE = ["qr", "make", "--merchant-id", "M-9", "--name", "Hotel Mille Collines", "--city", "Kigali", "--mcc", "7011",
        "--amount", "20000", "--bill", "B-1"]
SPEC_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***"
    "0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)


def test_qr_read_reads_the_svg_qr_make_writes(tmp_path):
    svg = tmp_path / "qr.svg"
    made = runner.invoke(app, [*MAKE, "--svg", str(svg)])
    assert made.exit_code == 0, made.output
    payload = made.stdout.strip().splitlines()[-1]
    read = runner.invoke(app, ["qr", "read", str(svg), "--json"])
    assert read.exit_code == 0, read.output
    view = json.loads(read.stdout)
    assert view["payload"] == payload and view["amount"] == "20000" and view["qr_codes_found"] == 1
    assert view["additional_data"]["bill_number"] == "B-1"


@pytest.mark.parametrize(("scale", "border", "xmldecl"), [(1, 0, False), (3, 2, True), (8, 4, False), (12, 10, True)])
def test_segno_svgs_of_any_scale_and_quiet_zone_are_read(scale, border, xmldecl):
    out = io.BytesIO()
    segno.make_qr(SPEC_EXAMPLE, error="m", mode="byte", encoding="utf-8", boost_error=False).save(
        out, kind="svg", scale=scale, border=border, xmldecl=xmldecl)
    assert read_payloads(out.getvalue()) == [SPEC_EXAMPLE]
    assert read_payloads(payload_svg(SPEC_EXAMPLE, scale_px=scale, border_modules=border).encode()) == [SPEC_EXAMPLE]


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>',  # drawn another way
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L10 10"/></svg>',
    b'<svg><path d="M4 4.5h7"/><path d="M4 5.5h7"/></svg>',  # two paths
    b'<svg><path d="M4 4.5h9999"/></svg>',  # past any QR code's size
    b'<svg><path d="M4 4.5h' + b"9" * 5_000 + b'"/></svg>',  # past int()'s digit limit: was a ValueError, a 500
    b'<svg><path d="M' + b"1" * 5_000 + b' 4.5h7"/></svg>',
    b'<svg><path d="M-3 4.5h7"/></svg>',
    b'<svg><path d="M4 4.25h7"/></svg>',
    b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg><path d="M4 4.5h7"/></svg>',
    b'<svg><path d="M4 4.5h7"/><!ENTITY a "aaaa"></svg>',
    b"<svg>" + b" " * SVG_BYTES_MAX + b"</svg>",
])
def test_another_svg_is_refused_naming_the_formats_read(tmp_path, svg):
    with pytest.raises(QrImageError) as refused:
        read_payloads(svg)
    assert refused.value.code == "bad_image"
    path = tmp_path / "other.svg"
    path.write_bytes(svg)
    result = runner.invoke(app, ["qr", "read", str(path), "--json"])
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "bad_image", error


def test_the_refusal_says_which_formats_are_read(tmp_path):
    path = tmp_path / "other.svg"
    path.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>')
    result = runner.invoke(app, ["qr", "read", str(path)])
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "`inzira qr make --svg`" in said and "PNG or JPEG" in said, said
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    result = runner.invoke(app, ["qr", "read", str(text)])
    assert result.exit_code == 2 and "the SVG `inzira qr make --svg` writes" in " ".join(result.stderr.split())
