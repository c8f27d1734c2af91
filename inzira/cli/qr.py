"""`inzira qr`: parse, make and read EMVCo merchant-presented QR codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.table import Table
from rich.text import Text

from inzira import money
from inzira.cli.common import console, err_console
from inzira.durable_files import write_durable
from inzira.qr import images
from inzira.qr.emv import (
    AlternateLanguage,
    DataObject,
    EmvError,
    MerchantQr,
    Payload,
    Profile,
    decode,
    encode_merchant_qr,
    payload_json,
)
from inzira.qr.emv import spec

app = typer.Typer(name="qr", help="EMVCo merchant-presented QR codes: parse, make, read.", no_args_is_help=True)

EXIT_INVALID = 2
STDIN_CHARS_MAX = spec.PAYLOAD_CHARS_MAX_LENIENT + 2  # room for a trailing newline

_PROFILE_HELP = "--strict checks every rule of the specification; --lenient accepts common real-world deviations."


def _profile(strict: bool) -> Profile:
    return Profile.STRICT if strict else Profile.LENIENT


def _fail(error: dict[str, dict[str, str | None]], as_json: bool) -> NoReturn:
    if as_json:
        typer.echo(json.dumps(error, ensure_ascii=False))
    else:
        body = error["error"]
        where = f" at {body['tag']}" if body["tag"] else ""
        line = Text("invalid", style="bold red")
        line.append(f" ({body['code']}{where}): {body['message']}")
        err_console.print(line)
    raise typer.Exit(EXIT_INVALID)


def _name(parent: str | None, tag: str) -> str:
    """The specification's name for ``tag`` inside ``parent`` (a path such as "62" or "62.50"), or ""."""
    if parent is None:
        rule = spec.ROOT_RULES.get(tag)
        return "reserved" if spec.is_reserved_root(tag) else "" if rule is None else rule.name
    if parent in ("62", "64"):
        table = spec.ADDITIONAL_DATA_RULES if parent == "62" else spec.LANGUAGE_RULES
        rule = table.get(tag)
        if rule is not None:
            return rule.name
        return "payment_system_template" if parent == "62" and spec.is_additional_template(tag) else "reserved"
    return "globally_unique_identifier" if tag == "00" else ""


def _rows(objects: tuple[DataObject, ...], parent: str | None, table: Table) -> None:
    for obj in objects:
        path = f"{parent}.{obj.tag}" if parent else obj.tag
        table.add_row(path, _name(parent, obj.tag), "" if obj.children else obj.value)
        _rows(obj.children, path, table)


def _show(payload: Payload, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    view = payload_json(payload)
    if as_json:
        typer.echo(json.dumps(view | (extra or {}), ensure_ascii=False))
        return
    amount = f"{payload.amount} {view['currency_code'] or payload.currency}" if payload.amount else "payer enters it"
    title = f"{payload.merchant_name or '?'}, {payload.merchant_city or '?'} - amount: {amount}"
    table = Table("tag", "name", "value", title=title)
    _rows(payload.objects, None, table)
    console.print(table)


def _read_stdin(as_json: bool) -> str:
    text = sys.stdin.read(STDIN_CHARS_MAX + 1)
    if len(text) > STDIN_CHARS_MAX:
        message = f"the payload has more than {spec.PAYLOAD_CHARS_MAX_LENIENT} characters; no profile allows that"
        _fail({"error": {"code": "too_long", "tag": None, "message": message}}, as_json)
    return text.rstrip("\r\n")


@app.command()
def parse(
    payload: str = typer.Argument(..., help="The payload text, or - to read it from standard input."),
    strict: bool = typer.Option(True, "--strict/--lenient", help=_PROFILE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (errors too, on stdout)."),
) -> None:
    """Decode and check a payload; exit code 2 when it is invalid."""
    text = _read_stdin(as_json) if payload == "-" else payload
    try:
        decoded = decode(text, _profile(strict))
    except EmvError as exc:
        _fail(exc.as_json(), as_json)
    _show(decoded, as_json)


@app.command()
def make(
    merchant_id: str = typer.Option(..., "--merchant-id", help="The merchant's id at its acquirer."),
    name: str = typer.Option(..., "--name", help="Merchant name (at most 25 printable ASCII characters)."),
    city: str = typer.Option(..., "--city", help="Merchant city (at most 15 characters)."),
    mcc: str = typer.Option(..., "--mcc", help="ISO 18245 merchant category code, four digits."),
    amount: str | None = typer.Option(None, "--amount", help="Amount for a dynamic QR, e.g. 15000; none: static."),
    currency: str = typer.Option("RWF", "--currency", help="ISO 4217 alpha code."),
    country: str = typer.Option("RW", "--country", help="ISO 3166-1 alpha-2 code."),
    postal_code: str | None = typer.Option(None, "--postal-code"),
    bill: str | None = typer.Option(None, "--bill", help="Bill number (tag 62.01)."),
    reference: str | None = typer.Option(None, "--reference", help="Reference label (tag 62.05)."),
    terminal: str | None = typer.Option(None, "--terminal", help="Terminal label (tag 62.07)."),
    language: str | None = typer.Option(None, "--language", help="ISO 639-1 code of --alt-name, e.g. rw, fr, zh."),
    alt_name: str | None = typer.Option(None, "--alt-name", help="Merchant name in --language (tag 64)."),
    alt_city: str | None = typer.Option(None, "--alt-city", help="Merchant city in --language (tag 64)."),
    svg: Path | None = typer.Option(None, "--svg", help="Also write the QR code as SVG to this file."),
    png: Path | None = typer.Option(None, "--png", help="Also write the QR code as PNG to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print the decoded payload as one JSON object."),
) -> None:
    """Build an Inzira merchant QR payload (static, or dynamic with --amount) and print it."""
    if (language is None) != (alt_name is None) or (alt_city is not None and language is None):
        raise typer.BadParameter("--language and --alt-name go together (--alt-city needs both)")
    try:
        amount_minor = None if amount is None else money.parse_decimal_minor(amount, currency)
    except money.MoneyError as exc:
        _fail({"error": {"code": "bad_amount", "tag": "54", "message": str(exc)}}, as_json)
    alternate = None
    if language is not None and alt_name is not None:
        alternate = AlternateLanguage(language, alt_name, alt_city)
    qr = MerchantQr(
        merchant_id=merchant_id,
        name=name,
        city=city,
        mcc=mcc,
        currency=currency.upper(),
        amount_minor=amount_minor,
        country=country.upper(),  # "rw" as people type it; EMVCo writes the code in capitals
        postal_code=postal_code,
        bill_number=bill,
        reference_label=reference,
        terminal_label=terminal,
        alternate=alternate,
    )
    try:
        text = encode_merchant_qr(qr)
    except EmvError as exc:
        _fail(exc.as_json(), as_json)
    try:
        if svg is not None:
            write_durable(svg, images.payload_svg(text).encode())
        if png is not None:
            write_durable(png, images.payload_png(text))
    except images.QrImageError as exc:
        _fail(exc.as_json(), as_json)
    except OSError as exc:
        message = f"cannot write {exc.filename}: {exc.strerror or exc}"
        _fail({"error": {"code": "cannot_write", "tag": None, "message": message}}, as_json)
    if as_json:
        _show(decode(text), as_json=True)
    else:
        typer.echo(text)


@app.command()
def read(
    image: Path = typer.Argument(..., help="A photo or screenshot of a QR code (PNG, JPEG, ...), or the SVG "
                                            "qr make --svg writes."),
    strict: bool = typer.Option(True, "--strict/--lenient", help=_PROFILE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (errors too, on stdout)."),
) -> None:
    """Find the QR code in an image and parse it; with several codes, the first one read is used."""
    try:
        found = images.read_payloads(image)
    except images.QrImageError as exc:
        _fail(exc.as_json(), as_json)
    if not found:
        _fail({"error": {"code": "no_qr", "tag": None, "message": f"no QR code found in {image}"}}, as_json)
    try:
        decoded = decode(found[0], _profile(strict))
    except EmvError as exc:
        _fail(exc.as_json(), as_json)
    _show(decoded, as_json, {"qr_codes_found": len(found)})
