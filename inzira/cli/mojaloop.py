"""``inzira mojaloop reconcile``: the eKash gateway's settlement window, every eKash transfer matched with its
Inzira legs, and optionally with the hub's own settlement file.

A client of a running gateway's report (``GET /v1/mojaloop/settlement``, all pages): ``--url`` (default
http://127.0.0.1:8000) with ``--token``, or the gateway member's token read from ``--data``'s api-keys.json.
It changes nothing anywhere. Exit 0 when everything matches, 1 on mismatches, 2 on a usage or I/O error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Optional

import msgspec
import typer
from rich.table import Table

from inzira.cli.common import DEFAULT_DATA_DIR, console, fail, print_json, token_api_url

app = typer.Typer(help="The eKash gateway (Mojaloop): settlement and reconciliation.", no_args_is_help=True)

DEFAULT_URL = "http://127.0.0.1:8000"
USAGE_ERROR = 2
PAGE_ROWS = 500
PAGES_MAX = 200  # 100,000 transfers: a window with more is to be narrowed
ROWS_SHOWN_MAX = 50
HTTP_TIMEOUT_MS = 30_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Totals(msgspec.Struct):
    count: int
    sum_minor: int


class _Leg(msgspec.Struct):
    pending_id: str
    state: str
    remittance_id: str


class _Item(msgspec.Struct):
    side: str
    transfer_id: str
    state: str
    group: str
    amount_minor: int
    currency: str
    hub_state: str
    inzira: _Leg
    reasons: list[str]


class _Report(msgspec.Struct):
    """The report's shape, checked before anything is read of it: exit 1 means mismatches, nothing else."""

    from_ms: int
    to_ms: int
    payee: dict[str, dict[str, _Totals]]
    payer: dict[str, dict[str, _Totals]]
    net_minor: dict[str, int]
    items: list[_Item]
    next_cursor: str | None


def parse_utc(text: str, option: str) -> int:
    """``2026-12-05`` (midnight UTC) or an ISO 8601 date-time (UTC when it names no offset), as Unix ms."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{option} {text[:40]!r} is not a date (2026-12-05) or date-time "
                         "(2026-12-05T10:00:00Z)") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    if moment < EPOCH:
        raise ValueError(f"{option} is before 1970")
    return (moment - EPOCH) // timedelta(milliseconds=1)  # exact: no float on the way


def _token(token: Optional[str], data: Path, as_json: bool) -> str:
    if token:
        return token
    from inzira.demo.members import GATEWAY_MEMBER
    from inzira.demo.setup import load_api_keys

    try:
        keys = load_api_keys(data)
    except (OSError, ValueError) as exc:
        fail(f"cannot read the API tokens in {data}: {exc}", USAGE_ERROR, as_json, "no_token")
    if not isinstance(keys, dict) or not isinstance(keys.get(GATEWAY_MEMBER.id), str):
        fail(f"no API token for {GATEWAY_MEMBER.id} in {data}: give --token or --data (a demo has the eKash "
             "gateway only when started with --mojaloop-hub URL)", USAGE_ERROR, as_json, "no_token")
    return keys[GATEWAY_MEMBER.id]


def fetch(url: str, token: str, from_ms: int, to_ms: int) -> dict[str, Any]:
    """The window's totals and every matched transfer, page after page (at most ``PAGES_MAX``)."""
    from inzira.http import HttpClient

    params: dict[str, Any] = {"from_ms": from_ms, "to_ms": to_ms, "limit": PAGE_ROWS}
    items: list[dict[str, Any]] = []
    with HttpClient(url, timeout_ms=HTTP_TIMEOUT_MS, headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(PAGES_MAX):
            report = client.call("GET", "/v1/mojaloop/settlement", params=params)
            try:
                msgspec.convert(report, _Report)
            except msgspec.ValidationError as exc:
                raise ValueError(f"{url} did not answer a settlement report: {exc}") from None
            items += report["items"]
            if report["next_cursor"] is None:
                return {**report, "items": items}
            params["cursor"] = report["next_cursor"]
    raise ValueError(f"more than {PAGES_MAX * PAGE_ROWS} transfers in the window: narrow it")


@app.command()
def reconcile(
    from_: Optional[str] = typer.Option(None, "--from", help="Window start, UTC: 2026-12-05 or "
                                        "2026-12-05T10:00:00Z (default: the start of today)."),
    to: Optional[str] = typer.Option(None, "--to", help="Window end, excluded (default: a day after --from)."),
    hub_file: Optional[Path] = typer.Option(None, "--hub-file", dir_okay=False, help="The hub's settlement file "
                                            "(JSON list of {transferId, amount, currency, state})."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    url: str = typer.Option(DEFAULT_URL, "--url", callback=token_api_url, help="The gateway's API "
                                     "(https:// unless on this host)."),
    token: Optional[str] = typer.Option(None, "--token", help="An API token of the gateway member (or the "
                                        "regulator)."),
    data: Path = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="A demo data folder: the gateway member's "
                              "token from its api-keys.json."),
) -> None:
    """Settlement with eKash for a window [from, to): net position, and each eKash transfer matched with its
    Inzira legs (and with --hub-file, with the hub's). Exit 0: all match; 1: mismatches; 2: usage or I/O error."""
    from inzira.http import HttpProblem
    from inzira.interop.mojaloop import hub_file as hub_files
    from inzira.interop.mojaloop.reconcile import against_hub
    from inzira.interop.mojaloop.settlement import DAY_MS, SettlementError, check_window, day_of

    try:
        now_ms = (datetime.now(UTC) - EPOCH) // timedelta(milliseconds=1)
        start = parse_utc(from_, "--from") if from_ else day_of(now_ms)[0]
        end = parse_utc(to, "--to") if to else start + DAY_MS
        check_window(start, end)
    except (ValueError, SettlementError) as exc:
        fail(str(exc), USAGE_ERROR, as_json, "bad_window")
    hub = None
    if hub_file is not None:
        try:
            hub = hub_files.read(hub_file)
        except hub_files.HubFileError as exc:
            fail(f"hub file {hub_file}: {exc}", USAGE_ERROR, as_json, "bad_hub_file")
    try:
        report = fetch(url, _token(token, data, as_json), start, end)
    except HttpProblem as exc:
        hint = " (it runs no eKash gateway: start the demo with --mojaloop-hub URL)" if exc.status == 404 else ""
        fail(f"the gateway's report: {exc.detail} ({exc.status} {exc.code}){hint}", USAGE_ERROR, as_json,
             "no_report")
    except ValueError as exc:
        fail(str(exc), USAGE_ERROR, as_json, "no_report")
    items = report["items"] if hub is None else against_hub(report["items"], hub)
    mismatches = [item for item in items if item["reasons"]]
    if as_json:
        print_json({**report, "items": items, "hub_file": str(hub_file) if hub_file else None,
                    "mismatches": len(mismatches), "matched": not mismatches, "next_cursor": None})
    else:
        _print(report, items, mismatches)
    raise typer.Exit(1 if mismatches else 0)


def _print(report: dict[str, Any], items: list[dict[str, Any]], mismatches: list[dict[str, Any]]) -> None:
    from inzira.interop.mojaloop.reconcile import ACTIONS, Reason
    from inzira.money import format_decimal

    def when(ms: int) -> str:
        moment = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        return f"{moment}.{ms % 1000:03d} UTC" if ms % 1000 else f"{moment} UTC"

    console.print(f"Settlement window [{when(report['from_ms'])}, {when(report['to_ms'])})")
    totals = Table("side", "group", "currency", "transfers", "amount", title="Totals")
    for side in ("payee", "payer"):
        for group, by_currency in report[side].items():
            for code, total in sorted(by_currency.items()):
                totals.add_row(side, group, code, str(total["count"]), format_decimal(total["sum_minor"], code))
    console.print(totals)
    if not report["net_minor"]:
        console.print("Net position: nothing committed in this window")
    for code, net in sorted(report["net_minor"].items()):
        owes = "the hub owes the gateway" if net >= 0 else "the gateway owes the hub"
        console.print(f"Net position {code}: [bold]{format_decimal(net, code)}[/] "
                      f"({owes} {format_decimal(abs(net), code)})")
    for group in ("pending", "aborted"):
        listed = [item for item in items if item["group"] == group]
        if listed:
            console.print(_rows(f"{group.capitalize()} ({len(listed)})", listed))
    if mismatches:
        console.print(_rows(f"[red]Mismatches ({len(mismatches)})[/]", mismatches))
        for reason in sorted({r for item in mismatches for r in item["reasons"]}):
            console.print(f"  [bold]{reason}[/]: {ACTIONS[Reason(reason)]}")
    else:
        console.print("[green]every eKash transfer matches its Inzira legs[/]")


def _rows(title: str, items: list[dict[str, Any]]) -> Table:
    from inzira.money import format_decimal

    table = Table("side", "state", "Inzira", "hub", "amount", title=title)
    # Ids and reasons are what the operator acts on: folded onto more lines, never cut.
    table.add_column("eKash transfer", min_width=36, overflow="fold")
    table.add_column("reasons", overflow="fold")
    for item in items[:ROWS_SHOWN_MAX]:
        hub = item.get("hub_file_state") or item.get("hub_state") or "-"
        inzira = item["inzira"]["state"] if "inzira" in item else "-"
        table.add_row(item["side"], item["state"] or "-", inzira, hub,
                      f"{format_decimal(item['amount_minor'], item['currency'])} {item['currency']}",
                      item["transfer_id"], ", ".join(item["reasons"]) or "-")
    if len(items) > ROWS_SHOWN_MAX:
        table.caption = f"and {len(items) - ROWS_SHOWN_MAX} more: --json lists them all"
    return table
