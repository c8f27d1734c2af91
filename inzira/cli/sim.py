"""``inzira sim``: the local simulators, run on their own, for a network of members' own deployments.

``inzira sim momo`` serves the mobile-money operator simulator (``inzira.sim.momo``: an MTN-style disbursement
and account-holder API) until Ctrl-C and prints what the receiving FSP's links file (``payout``) and the
directory operator's ``directory.json`` (``account_holder_apis``) need to reach it.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any, Optional

import typer

from inzira.cli.common import console, fail

app = typer.Typer(help="Local simulators: a mobile-money operator, for members' own deployments.",
                  no_args_is_help=True)

WALLETS_MAX = 100
DEFAULT_FLOAT = "100,000,000 RWF"


_NUMBER_CHARS = frozenset("+0123456789-().")


def _wallet(text: str) -> tuple[str, str, str]:
    """"NUMBER GIVEN FAMILY" as (MSISDN as the operator takes it, given name, family name), or a clean refusal.
    The number may be written as people write it: "+250 788 333 444", "+250-788-333-444", "0788333444"."""
    from inzira.remit.phone import PhoneNumberError, parse_phone

    words = text.split()
    digits = 0
    while digits < len(words) and set(words[digits]) <= _NUMBER_CHARS:
        digits += 1
    try:
        msisdn = parse_phone(" ".join(words[:digits])).removeprefix("+")
    except PhoneNumberError as exc:
        fail(f"--wallet {text!r}: start with a phone number, such as \"+250788333444 Jeanne Uwase\" ({exc})")
    given, family = words[digits:digits + 1], words[digits + 1:]
    if not given or not family:
        fail(f"--wallet {text!r}: give the holder's given and family name after the number, such as "
             "\"+250788333444 Jeanne Uwase\"")
    return msisdn, given[0], " ".join(family)


@app.command()
def momo(
    port: int = typer.Option(0, "--port", "-p", min=0, max=65535,
                             help="Keep one (such as 8091): the links files name its URL. 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", "--host", help="Where it listens (its callbacks go to loopback only)."),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="A host name it answers for besides this machine's (localhost, its IP "
                                   "addresses), e.g. its name on a LAN (repeatable; DNS rebinding)."),
    wallets: Optional[list[str]] = typer.Option(
        None, "--wallet", help='A wallet to open: "NUMBER GIVEN FAMILY", e.g. --wallet "+250788333444 Jeanne Uwase" '
                               f"(repeatable, up to {WALLETS_MAX})."),
    float_text: str = typer.Option(DEFAULT_FLOAT, "--float", help="The operator's disbursement float (RWF)."),
    fsp: str = typer.Option("mobimo", "--fsp", help="The receiving FSP whose operator it is (for the directory)."),
    admin_token: Optional[str] = typer.Option(None, "--admin-token",
                                              help="Its admin API's bearer token (default: a random one, printed)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON line once it listens."),
) -> None:
    """Serve the mobile-money operator simulator until Ctrl-C (its wallets live as long as it runs)."""
    from inzira.cli.listen import check_allowed_hosts, check_listen
    from inzira.http import HttpProblem
    from inzira.money import MoneyError, parse_amount
    from inzira.sim.momo import MomoSimConfig, serve

    if len(wallets or []) > WALLETS_MAX:
        fail(f"at most {WALLETS_MAX} --wallet options")
    opened = [_wallet(text) for text in wallets or []]
    try:
        float_amount = parse_amount(float_text, "RWF")
    except MoneyError as exc:
        fail(f"--float: {exc}")
    if float_amount.currency.code != "RWF":
        fail(f"--float {float_text}: the simulated operator pays out in RWF")
    check_allowed_hosts(allowed_host)
    check_listen(host, port)
    config = MomoSimConfig(float_minor=float_amount.minor,
                           **({"admin_token": admin_token} if admin_token else {}))
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    with serve(config, host=host, port=port, allowed_hosts=tuple(allowed_host)) as sim:
        try:
            for msisdn, given, family in opened:
                sim.admin.create_wallet(msisdn, given, family)
        except HttpProblem as exc:
            fail(f"cannot open the wallet: {exc.detail}")
        _announce(sim.base_url, config.admin_token, sim.adapter_config(), fsp, opened, float_text, as_json)
        stopping.wait()


def _announce(url: str, admin_token: str, payout: dict[str, Any], fsp: str, opened: list[tuple[str, str, str]],
              float_text: str, as_json: bool) -> None:
    wallets = [{"msisdn": f"+{m}", "given_name": g, "family_name": f} for m, g, f in opened]
    if as_json:  # one line, flushed: a script reads it while the simulator keeps running
        sys.stdout.write(json.dumps({"url": url, "admin_token": admin_token, "payout": payout,
                                     "account_holder_apis": {fsp: payout}, "wallets": wallets}) + "\n")
        sys.stdout.flush()
        return
    console.print(f"mobile-money operator simulator on [bold]{url}[/] (float {float_text}); Ctrl-C stops")
    for wallet in wallets:
        console.print(f"  wallet {wallet['msisdn']}: {wallet['given_name']} {wallet['family_name']}")
    console.print(f"  admin API: Authorization: Bearer {admin_token} (GET {url}/admin/wallets/<number without +>)")
    console.print(f"{fsp}'s links file, to pay out through it:", style="bold")
    console.print(json.dumps({"payout": payout}), markup=False, highlight=False)
    console.print(f"the directory operator's directory.json, to confirm {fsp}'s wallets with it:", style="bold")
    console.print(json.dumps({"account_holder_apis": {fsp: payout}}), markup=False, highlight=False)
