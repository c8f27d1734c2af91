"""``inzira remit flagged``: a receiving FSP's flagged payouts, for its operations staff, newest first.

A client of ``GET /v1/remit/payouts/flagged`` with the FSP's own API token (``--token``, or the member's in
``--data``'s api-keys.json). SUCCESSFUL ones were paid into the wallet while the transfer ended without the FSP's
commit: recover them off-ledger. FAILED ones the operator refused (the money went back to the sender). What the
server sent is printed as text, never Rich markup, its control characters shown escaped.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from inzira.cli.common import DEFAULT_DATA_DIR, console, fail, print_json, shown_escaped, token_api_url

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_LIMIT = 50
LIMIT_MAX = 200  # the API's page bound
TIMEOUT_S = 30.0
EXIT_STATUSES = "Exit status: 0 listed (none flagged too); 1 refused or no answer; 2 usage error."


def _when(at_ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at_ms / 1000))


def _table(fsp: str, page: dict[str, Any]) -> Table:
    table = Table(title=f"{fsp}'s flagged payouts: {page['count']} in all, newest first")
    for column in ("Flagged", "Status", "Reason", "Amount", "Wallet", "Transfer", "Reference"):
        table.add_column(column, justify="right" if column == "Amount" else "left")
    for item in page["items"]:
        cells = (_when(item["flagged_at_ms"]), item["status"] + (" (recover)" if item["recover_off_ledger"] else ""),
                 item["reason"], item["amount"]["text"], item["msisdn"],
                 item["transfer_id"] or f"pending {item['pending_id'][:16]}…", item["reference_id"])
        table.add_row(*(Text(shown_escaped(str(cell))) for cell in cells))
    return table


def flagged(
    fsp: str = typer.Option(..., "--fsp", help="The receiving FSP (member id), e.g. mobimo.",
                            callback=lambda value: value.strip().lower()),
    status: Optional[str] = typer.Option(None, "--status", help="SUCCESSFUL (paid, to recover off-ledger) or "
                                         "FAILED (refused by the operator); default both."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Only reasons starting with this, e.g. "
                                         "PAID_AFTER_ABORT."),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", min=1, max=LIMIT_MAX, help="Payouts on this page."),
    cursor: Optional[str] = typer.Option(None, "--cursor", help="The next page's cursor, as printed below a page."),
    as_json: bool = typer.Option(False, "--json", help="Print the API's page as JSON (errors too, on stdout)."),
    data: Path = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="Data folder with api-keys.json."),
    url: str = typer.Option(DEFAULT_URL, "--url", callback=token_api_url, help="The network's HTTP API."),
    token: Optional[str] = typer.Option(None, "--token", help="The receiving FSP's API token."),
) -> None:
    """List the payouts a receiving FSP must act on: paid but not paid back (recover off-ledger), or failed."""
    from inzira.http import HttpProblem
    from inzira.remit.client import RemitClient

    if status is not None and status.upper() not in ("SUCCESSFUL", "FAILED"):
        fail(f"--status {status}: give SUCCESSFUL or FAILED", 2, as_json, "usage")
    if not token:
        from inzira.demo.setup import load_api_keys

        try:
            token = load_api_keys(data).get(fsp)
        except (OSError, ValueError) as exc:
            fail(f"cannot read the API tokens in {data}: {exc}; give --token", 2, as_json, "no_token")
        if not token:
            fail(f"no API token for {fsp} in {data / 'api-keys.json'}: give --token or --data", 2, as_json,
                 "no_token")
    try:
        with RemitClient(url, token, timeout_s=TIMEOUT_S) as client:
            page = client.flagged(status.upper() if status else None, reason, limit, cursor)
    except HttpProblem as exc:
        where = "" if exc.answered else f": is the network running at {url}? give its API with --url"
        message = f"refused: {exc.detail} (code {exc.code}){where}"
        fail(message if as_json else escape(shown_escaped(message)), 1, as_json, "refused")
    if as_json:
        print_json(page)
        return
    if not page["items"]:
        filters = [f"status {status.upper()}" if status else "", f"a reason starting {reason}" if reason else ""]
        narrowed = " with " + " and ".join(f for f in filters if f) if status or reason else ""
        console.print(f"No flagged payouts for {fsp}{narrowed}: nothing to recover or look into.", markup=False)
        return
    console.print(_table(fsp, page))
    if page["next_cursor"]:
        console.print(f"More: inzira remit flagged --fsp {fsp} --cursor {page['next_cursor']}"
                      + (f" --status {status.upper()}" if status else "") + (f" --reason {reason}" if reason else "")
                      + (f" --limit {limit}" if limit != DEFAULT_LIMIT else ""),
                      markup=False)
