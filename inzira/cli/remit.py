"""``inzira remit``: send a remittance through a running network's HTTP API, serve one, verify receipts.

The CLI is a client of the remittance API (``/v1/remit``) of a running demo: ``--url`` (default
http://127.0.0.1:8000) with ``--token``, or the sending member's token read from ``--data``'s api-keys.json.
``inzira remit serve --peer FOLDER`` runs one member's own deployment: its peer (from the folder ``inzira network``
made for it, with that member's key only) and the services of its roles (``inzira.deploy.member``).
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from inzira.cli.common import (DEFAULT_DATA_DIR, GenesisDataOption, GenesisOption, console, fail,
                               read_genesis, token_api_url)
from inzira.cli.remit_flagged import EXIT_STATUSES as FLAGGED_EXIT_STATUSES, flagged
from inzira.decoding import decode_json
from inzira.durable_files import write_durable
from inzira.money import MoneyError, parse_amount

app = typer.Typer(help="Remittances into Rwanda: send, serve, verify receipts, list flagged payouts.",
                  no_args_is_help=True)

DEFAULT_URL = "http://127.0.0.1:8000"
PROGRESS_TIMEOUT_S = 120.0
RECEIPT_BYTES_MAX = 1024 * 1024
# `remit send`'s exit statuses: a script tells paid from not paid by these alone (2 is a usage error).
EXIT_PAID = 0
EXIT_NOT_SENT = 1  # refused or stopped before a transfer existed: nothing was sent
EXIT_HELD = 3  # held for the compliance officer's review: not paid, and not final either
EXIT_NOT_PAID = 4  # ended without payment (rejected, refused by the ledger, payout failed, expired): money back
EXIT_UNKNOWN = 5  # sent, but not final when the command stopped following it: look the transfer up
SEND_EXIT_STATUSES = (f"Exit status: {EXIT_PAID} paid; {EXIT_NOT_SENT} nothing sent (refused before sending, "
                      f"declined, bad input); 2 usage error; {EXIT_HELD} HELD for compliance review (not paid); "
                      f"{EXIT_NOT_PAID} ended not paid (REJECTED or ABORTED: refused by the ledger, payout failed, "
                      f"expired; money returned); {EXIT_UNKNOWN} sent but not final yet (look it up).")


def _token(member: str, token: Optional[str], data: Path) -> str:
    if token:
        return token
    from inzira.demo.setup import load_api_keys

    try:
        keys = load_api_keys(data)
    except (OSError, ValueError) as exc:
        fail(f"cannot read the API tokens in {data}: {exc}; give --token", 2)
    if member not in keys:
        fail(f"no API token for {member} in {data / 'api-keys.json'}: give --token or --data")
    return keys[member]


def _disclosure(quote: dict[str, Any]) -> Table:
    rate = quote["exchange_rate"]
    table = Table(title=f"Quote {quote['quote_id']}", show_header=False)
    rows = [
        ("Receiver", f"{quote['receiver']['masked_name']} ({quote['receiver']['msisdn']}) at "
                     f"{quote['receiving_fsp_name']}"),
        ("Amount sent", quote["amount_sent"]["text"]),
        ("Sending fee", quote["sending_fee"]["text"]),
        ("Total to pay", quote["total_to_pay"]["text"]),
        ("Exchange rate", f"{rate['text']} (mid-market {rate['mid_market_rate']}, margin {rate['margin_percent']} %"
                          f" = {rate['fx_margin']['text']})"),
        # When the FX desk priced its rates, and "(demo rates)" for the demo's table, as the web page says.
        ("Rates as of", rate["rates_as_of"]),
        ("Receiving fee", f"{quote['receiving_fee']['text']} (~{quote['receiving_fee_in_source']['text']})"),
        ("Amount received", quote["amount_received"]["text"]),
        ("Total cost", f"{quote['total_cost']['text']} = {quote['total_cost_percent']} % of the amount sent "
                       "(fees + FX margin)"),
        ("Available", quote["availability"]["text"]),
        ("Quote expires", time.strftime("%H:%M:%S", time.localtime(quote["expires_at_ms"] / 1000))),
    ]
    for name, value in rows:
        table.add_row(name, Text(value))  # as written: a masked name from another deployment is no markup
    return table


def new_steps(kind: str, data: dict[str, Any], seen: set[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The steps of a stream's frame not printed yet (``seen`` grows): a change made while the stream opened is
    in both its snapshot and its first event."""
    steps = data.get("timeline") or [] if kind == "snapshot" else [data["data"]]
    fresh = []
    for step in steps:
        key = (step["step"], step.get("detail"), step.get("code"), step.get("tx_id"))
        if key not in seen:
            seen.add(key)
            fresh.append(step)
    return fresh


def _held_because(view: dict[str, Any]) -> str:
    """Why compliance held it, as its decision says: a velocity or amount rule holds as well as a name match."""
    decisions = (view.get("compliance") or {}).get("decisions") or [{}]
    reasons = [str(r.get("message", "")) for r in decisions[-1].get("reasons") or [] if isinstance(r, dict)]
    return "; ".join(r for r in reasons if r) or "screening"


def _follow(client: Any, transfer_id: str, where: str) -> dict[str, Any]:
    """Print each step as it happens (event stream), then the final view."""
    from inzira.http import HttpProblem

    deadline = time.monotonic() + PROGRESS_TIMEOUT_S
    seen: set[tuple[Any, ...]] = set()
    with console.status("waiting for the ledger...") as status:
        try:
            for kind, data in client.events(transfer_id):
                for step in new_steps(kind, data, seen):
                    console.print(f"  [bold]{step['step']:<18}[/] {step.get('detail', '')}")
                    status.update(f"{step['state']} ...")
                if time.monotonic() > deadline:
                    break
            return client.transfer(transfer_id, wait_ms=30_000)
        except HttpProblem as exc:
            fail(f"transfer {transfer_id} was sent, but following it failed ({exc.detail}, code {exc.code}): "
                 f"its outcome is not known here; look it up at {where}", code=EXIT_UNKNOWN)


def _save_receipt(client: Any, transfer_id: str, out: Path) -> None:
    from inzira.http import HttpProblem

    path = out / f"receipt-{transfer_id}.json"
    try:
        write_durable(path, (json.dumps(client.receipt(transfer_id), indent=2) + "\n").encode())
        console.print(f"receipt saved: [bold]{path}[/]")
    except HttpProblem:
        console.print("no ledger receipt: nothing of this transfer reached the chain", style="yellow")
    except OSError as exc:
        console.print(f"cannot save the receipt to {path}: {exc.strerror or exc}; get it from "
                      f"GET /v1/remit/transfers/{transfer_id}/receipt", style="yellow")


@app.command(epilog=SEND_EXIT_STATUSES)
def send(
    sender_fsp: str = typer.Option(..., "--from", help="The sending FSP (member id), e.g. eurosend.",
                                   callback=lambda value: value.strip().lower()),  # member ids are lower-case
    to: str = typer.Option(..., "--to", help="The receiver's phone number, e.g. +250788123456."),
    amount: Optional[str] = typer.Option(None, "--amount", help='What the customer sends, e.g. "200 EUR".'),
    receive: Optional[str] = typer.Option(None, "--receive", help='What the receiver gets, e.g. "300000 RWF".'),
    currency: Optional[str] = typer.Option(None, "--currency", help="The currency paid in, with --receive."),
    sender_name: str = typer.Option(..., "--sender", prompt="Sender's full name", help="Screened for sanctions."),
    sender_id: Optional[str] = typer.Option(None, "--sender-id", help="The customer's id at the FSP."),
    receiver_name: str = typer.Option(..., "--receiver-name", prompt="Receiver's full name"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Send without asking to confirm."),
    data: Path = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="Data folder with api-keys.json."),
    url: str = typer.Option(DEFAULT_URL, "--url", callback=token_api_url, help="The network's HTTP API "
                                     "(https:// unless on this host: the token must not cross the network in clear)."),
    token: Optional[str] = typer.Option(None, "--token", help="The sending FSP's API token."),
    out: Path = typer.Option(Path("."), "--out", help="Folder for the receipt file."),
) -> None:
    """Look up, quote (full disclosure), confirm, send, follow to the end, save the receipt.

    Exits 0 only when the receiver was paid (see the exit statuses below)."""
    from inzira.http import HttpProblem
    from inzira.remit.client import RemitClient

    if (amount is None) == (receive is None):
        fail('give either --amount "200 EUR" or --receive "300000 RWF" --currency EUR')
    if not out.is_dir():
        fail(f"--out {out} is not a folder: create it first (the receipt is saved there)")
    try:
        parsed = parse_amount(amount or receive or "")
    except MoneyError as exc:
        fail(str(exc))
    if parsed.minor <= 0:
        fail(f"{amount or receive}: the amount must be more than zero")
    with RemitClient(url, _token(sender_fsp, token, data)) as client:
        try:
            party = client.lookup(to)
            console.print(f"[bold]{escape(party['masked_name'])}[/] ({party['msisdn']}) has a wallet at "
                          f"{escape(party['fsp_name'])}")
            if amount is not None:
                quote = client.quote(to, "SEND", parsed.minor, parsed.currency.code, sender_name=sender_name,
                                     receiver_name=receiver_name)
            else:
                if currency is None:
                    fail("with --receive, say what the customer pays in: --currency EUR")
                quote = client.quote(to, "RECEIVE", parsed.minor, parsed.currency.code, currency.upper(),
                                     sender_name=sender_name, receiver_name=receiver_name)
            console.print(_disclosure(quote))
            if not yes and not typer.confirm("Send it?", default=False):
                raise typer.Exit(EXIT_NOT_SENT)
            transfer_id = str(uuid.uuid4())
            customer = sender_id or f"cli-{uuid.uuid5(uuid.NAMESPACE_URL, sender_name).hex[:12]}"
            try:
                view = client.send(transfer_id, quote["quote_id"], customer, sender_name, receiver_name)
            except HttpProblem as exc:
                view = exc.body.get("transfer") or fail(f"refused: {exc.detail} (code {exc.code})")
        except HttpProblem as exc:
            fail(f"{exc.detail} (code {exc.code})" + ("" if exc.answered else
                 f": is the network running at {url}? Start it with inzira demo, or give its API with --url"))
        where = f"{url.rstrip('/')}/v1/remit/transfers/{transfer_id}"
        console.print(f"transfer [cyan]{transfer_id}[/]: {view['state']}")
        if view["state"] == "HELD":
            console.print(f"not paid: held for {sender_fsp}'s compliance officer ({_held_because(view)}); nothing "
                          f"moves until the officer decides: follow it at {where} or on the /remit page",
                          style="yellow", markup=False)
            raise typer.Exit(EXIT_HELD)
        if not view["final"]:
            view = _follow(client, transfer_id, where)
        if not view["final"]:
            fail(f"not paid yet: transfer {transfer_id} is still {view['state']} after {PROGRESS_TIMEOUT_S:.0f} s; "
                 f"follow it at {where}", code=EXIT_UNKNOWN)
        _save_receipt(client, transfer_id, out)
    if view["state"] != "COMMITTED":
        fail(f"not paid: the transfer ended {view['state']}: {view['reason']} (code {view['code']})",
             code=EXIT_NOT_PAID)
    console.print(f"[bold green]paid[/]: {view['amount_received']['text']} to {escape(party['masked_name'])}")


app.command("flagged", epilog=FLAGGED_EXIT_STATUSES)(flagged)


@app.command("verify-receipt")
def verify_receipt_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The remittance receipt JSON file."),
    genesis: Optional[Path] = GenesisOption,
    data: Path = GenesisDataOption,
) -> None:
    """Verify a remittance receipt offline: every ledger receipt in it, against the network's genesis."""
    from inzira.ledger.receipt import RECEIPT_FORMAT as LEDGER_RECEIPT_FORMAT, ReceiptError
    from inzira.remit.receipts import verify_remittance_receipt

    net = read_genesis(genesis, data)
    try:
        if file.stat().st_size > RECEIPT_BYTES_MAX:
            fail("receipt file too large")
        receipt = decode_json(file.read_bytes())
        if isinstance(receipt, dict) and receipt.get("format") == LEDGER_RECEIPT_FORMAT:
            fail(f"{file} is a ledger receipt: verify it with inzira receipt verify {file}")
        summaries = verify_remittance_receipt(receipt, net)
    except (ReceiptError, ValueError, OSError) as exc:
        fail(f"not valid: {exc}")
    for summary in summaries:
        console.print(f"[green]valid[/]: tx {summary['tx_id'][:16]}... code {summary['code']} "
                      f"({summary['description']}) in block {summary['height']}, signed by {summary['signers']}")
    transfer = receipt.get("transfer", {})
    console.print(f"transfer {transfer.get('transfer_id')}: {transfer.get('state')}")


@app.command()
def serve(peer: Path = typer.Option(..., "--peer", help="The member's peer folder (peer.json, keys/<member>.key)."),
          links: Optional[Path] = typer.Option(
              None, "--links", help="JSON: fx_member, fx_url, fx_token, funding_urls {issuer: url}, funding_token, "
              "directory_url, directory_token, payout {...}, receiving_fsp_urls {fsp: url}, "
              "wallet_currencies [\"CNY\", ...], rates_file, rates_max_age_s, "
              "webhook_allowed_networks [\"10.20.0.0/16\", ...]; a field of another JSON type, or any other field, "
              "is refused by name."),
          host: Optional[str] = typer.Option(None, "--host", help="Default: the peer's api_host."),
          port: Optional[int] = typer.Option(None, "--port", "-p", min=0, max=65535,
                                             help="Default: the peer's api_port.")) -> None:
    """Run one member's own deployment (its peer and its services, its own key only) until Ctrl-C.

    Stop that member's peer first if `inzira network up` runs it: this process is that peer."""
    from inzira.cli.listen import check_listen
    from inzira.deploy.links import Links
    from inzira.deploy.member import MemberDeployment
    from inzira.peer.config import load_config
    from inzira.peer.folder_lock import PeerFolderBusyError, holder_pid, is_held

    try:
        loaded = Links.load(links) if links else Links()
        config = load_config(peer)
    except (OSError, ValueError) as exc:  # a file it cannot use: the message names it
        fail(f"cannot start the member's deployment: {exc}", 2)
    try:
        busy = is_held(peer)  # before the port check: the holder listens on the peer's port, "in use" said no more
    except OSError as exc:
        fail(f"cannot start the member's deployment: {peer}: {exc.strerror or exc}")
    if busy:
        fail(f"cannot start the member's deployment: {PeerFolderBusyError(peer, holder_pid(peer))}; if inzira "
             f"network up runs it: inzira network stop {config.member} --data <network folder>")
    check_listen(host or config.api_host, config.api_port if port is None else port,
                 "--host" if host else f"api_host in {peer / 'peer.json'}")
    try:
        deployment = MemberDeployment(peer, loaded, host, port).start()
    except ValueError as exc:  # a file in the peer folder it cannot use (a key, a token file, directory.json)
        fail(f"cannot start the member's deployment: {exc}", 2)
    except (OSError, RuntimeError) as exc:
        fail(f"cannot start the member's deployment: {exc}")
    served = deployment.served
    base_url = served.base_url if served else "?"
    console.print(f"{deployment.member}'s own deployment on {base_url}/docs, its explorer on {base_url}/ "
                  f"(sign in with its API token: {peer / 'api-keys.json'}); Ctrl-C stops")
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    stopping.wait()
    deployment.stop()
