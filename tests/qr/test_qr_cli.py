"""`inzira qr parse | make | read` through the real command-line app."""

import json
import subprocess
import sys

from PIL import Image
from typer.testing import CliRunner

from inzira.cli.main import app
from inzira.qr.images import payload_png

runner = CliRunner()

SPEC_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***"
    "0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)
PROMPTPAY = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"


def test_parse_json_fields():
    result = runner.invoke(app, ["qr", "parse", SPEC_EXAMPLE, "--json"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert view["merchant_name"] == "BEST TRANSPORT"
    assert view["merchant_city"] == "BEIJING"
    assert view["country"] == "CN"
    assert view["currency"] == "156" and view["currency_code"] == "CNY"
    assert view["amount"] == "23.72"
    assert view["point_of_initiation"] == "dynamic"
    assert view["mcc"] == "4111"
    assert view["crc"] == "A13A"
    assert view["merchant_accounts"]["29"]["guid"] == "D15600000000"
    assert view["additional_data"]["terminal_label"] == "A6008667"
    assert view["language_template"]["merchant_city"] == "北京"


def test_parse_table():
    result = runner.invoke(app, ["qr", "parse", SPEC_EXAMPLE])
    assert result.exit_code == 0
    assert "BEST TRANSPORT" in result.stdout and "62.07" in result.stdout


def test_parse_from_stdin():
    result = runner.invoke(app, ["qr", "parse", "-", "--json"], input=SPEC_EXAMPLE + "\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["crc"] == "A13A"


def test_parse_from_stdin_says_a_huge_payload_is_too_long_without_miscounting_it():
    result = runner.invoke(app, ["qr", "parse", "-", "--json"], input="0" * 1_000_000)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "too_long" and "more than 4096 characters" in error["message"], error


def test_parse_invalid_exits_2_with_a_json_error():
    bad = SPEC_EXAMPLE[:-4] + "A13B"
    result = runner.invoke(app, ["qr", "parse", bad, "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["tag"]) == ("crc_mismatch", "63")
    assert "63" in error["message"]


def test_parse_invalid_without_json_writes_to_stderr():
    result = runner.invoke(app, ["qr", "parse", SPEC_EXAMPLE[:-10]])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "invalid" in result.stderr


def test_strict_and_lenient():
    strict = runner.invoke(app, ["qr", "parse", PROMPTPAY, "--json"])
    assert strict.exit_code == 2
    assert json.loads(strict.stdout)["error"]["code"] == "missing_mandatory"
    lenient = runner.invoke(app, ["qr", "parse", PROMPTPAY, "--lenient", "--json"])
    assert lenient.exit_code == 0
    view = json.loads(lenient.stdout)
    assert view["merchant_name"] is None and view["currency_code"] == "THB"
    assert view["merchant_accounts"]["29"]["guid"] == "A000000677010111"


def test_make_and_read(tmp_path):
    png = tmp_path / "qr.png"
    svg = tmp_path / "qr.svg"
    made = runner.invoke(
        app,
        [
            "qr", "make", "--merchant-id", "M-9", "--name", "Inema Arts Center", "--city", "Kigali",
            "--mcc", "5971", "--amount", "20000", "--bill", "B-1", "--language", "rw",
            "--alt-name", "Inzu y'ubugeni", "--png", str(png), "--svg", str(svg),
        ],
    )
    assert made.exit_code == 0, made.output
    payload = made.stdout.strip()
    assert "<svg" in svg.read_text(encoding="utf-8")
    read = runner.invoke(app, ["qr", "read", str(png), "--json"])
    assert read.exit_code == 0, read.output
    view = json.loads(read.stdout)
    assert view["payload"] == payload
    assert view["amount"] == "20000" and view["currency_code"] == "RWF"
    assert view["point_of_initiation"] == "dynamic"
    assert view["merchant_accounts"]["26"] == {"guid": "rw.inzira", "fields": {"01": "M-9"}}
    assert view["additional_data"]["bill_number"] == "B-1"
    assert view["qr_codes_found"] == 1


def test_make_to_an_unwritable_path_fails_cleanly(tmp_path):
    base = ["qr", "make", "--merchant-id", "M-9", "--name", "Hotel", "--city", "Kigali", "--mcc", "7011"]
    for option in ("--svg", "--png"):
        path = tmp_path / "no-such-folder" / f"qr.{option[2:]}"
        result = runner.invoke(app, [*base, option, str(path), "--json"])
        assert result.exit_code == 2, result.output
        error = json.loads(result.stdout)["error"]
        assert error["code"] == "cannot_write" and str(path) in error["message"]
        assert "No such file or directory" in error["message"]
        result = runner.invoke(app, [*base, option, str(path)])
        assert result.exit_code == 2 and "cannot_write" in result.stderr


def test_read_a_generated_png_of_a_foreign_payload(tmp_path):
    path = tmp_path / "spec.png"
    path.write_bytes(payload_png(SPEC_EXAMPLE))
    result = runner.invoke(app, ["qr", "read", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["merchant_name"] == "BEST TRANSPORT"


def test_make_refuses_invalid_merchants():
    result = runner.invoke(
        app, ["qr", "make", "--merchant-id", "M", "--name", "N" * 30, "--city", "Kigali", "--mcc", "5411", "--json"]
    )
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["tag"] == "59"
    result = runner.invoke(
        app, ["qr", "make", "--merchant-id", "M", "--name", "N", "--city", "K", "--mcc", "5411", "--amount", "1.5"]
    )
    assert result.exit_code == 2 and "bad_amount" in result.stderr


def test_make_takes_country_and_currency_codes_in_lower_case():
    """As people type them: "rw" was refused as "not an ISO 3166-1 alpha-2 code" while "usd" was taken."""
    result = runner.invoke(app, ["qr", "make", "--merchant-id", "M", "--name", "Hotel", "--city", "Kigali",
                                 "--mcc", "7011", "--amount", "10.50", "--currency", "usd", "--country", "rw", "--json"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert (view["country"], view["currency_code"], view["amount"]) == ("RW", "USD", "10.50")


def test_read_without_a_qr(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("hello")
    result = runner.invoke(app, ["qr", "read", str(path), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "bad_image"


def test_read_refuses_a_huge_image_without_a_python_warning(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("1", (12_000, 12_000), 1).save(path)  # 144 million pixels: Pillow warns, Inzira refuses
    done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "qr", "read", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "too_large" in done.stderr
    assert "Warning" not in done.stderr and "warnings.warn" not in done.stderr, done.stderr
