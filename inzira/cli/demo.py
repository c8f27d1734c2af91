"""``inzira demo``: the embedded network with its web UI, in one process, until Ctrl-C."""

from __future__ import annotations

import errno
import ipaddress
import signal
import threading
from pathlib import Path

import typer

from inzira.cli.common import DEFAULT_DATA_DIR, console, fail
from inzira.cli.listen import check_allowed_hosts, check_listen
from inzira.process import tune_gc

EXIT_INTERRUPTED = 130  # the shell's status for a process ended by Ctrl-C (128 + SIGINT)


def demo(
    data: Path = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="Data folder (created if missing)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="Port (0 picks a free one)."),
    no_seed: bool = typer.Option(False, "--no-seed", help="Do not open and prefund the demo accounts."),
    trusted_proxy: list[str] = typer.Option(
        [], "--trusted-proxy", help="Address of a reverse proxy ending TLS in front of the demo (repeatable): only "
                                    "its X-Forwarded-Proto/-For are believed, so cookies are Secure over HTTPS."),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="A host name the demo answers for besides this machine's (localhost, its IP "
                                   "addresses): the public name a reverse proxy passes on (repeatable). Requests "
                                   "naming another host are refused (DNS rebinding)."),
    webhook_allow: list[str] = typer.Option(
        [], "--webhook-allow", help="A non-public network (CIDR, e.g. 127.0.0.1/32 for a receiver on this host) that "
                                    "webhooks may reach (repeatable); loopback, private and link-local targets are "
                                    "refused otherwise."),
    mojaloop_hub: str | None = typer.Option(
        None, "--mojaloop-hub", help="Run the eKash gateway: FSPIOP at /fspiop, requests and callbacks sent to this "
                                     "Mojaloop hub URL, e.g. http://127.0.0.1:4040 (a Testing Toolkit)."),
    mojaloop_hub_id: str = typer.Option(
        "switch", "--mojaloop-hub-id", help="The hub's FSP id (FSPIOP-Source of its PATCH and abort notifications; "
                                            "no one else may end a transfer)."),
) -> None:
    """Start the demo network (all members in one process) with its API and web pages."""
    from inzira.interop.mojaloop.headers import FSP_ID_CHARS_MAX, is_fsp_id

    for proxy in trusted_proxy:
        try:
            ipaddress.ip_network(proxy)  # an address is a network of one
        except ValueError:
            fail(f"--trusted-proxy must be an IP address or network such as 10.0.0.5 or 10.0.0.0/24 (names are not "
                 f"resolved: its headers would never be believed), not {proxy!r}")
    for network in webhook_allow:
        try:
            ipaddress.ip_network(network)
        except ValueError:
            fail(f"--webhook-allow must be an IP network such as 127.0.0.1/32 or 10.20.0.0/16, not {network!r}")
    if mojaloop_hub is not None and not mojaloop_hub.startswith(("http://", "https://")):
        fail(f"--mojaloop-hub must be an http(s) URL, not {mojaloop_hub!r}")
    if not is_fsp_id(mojaloop_hub_id):
        fail(f"--mojaloop-hub-id must be 1 to {FSP_ID_CHARS_MAX} visible ASCII characters, not {mojaloop_hub_id!r}")
    check_allowed_hosts(allowed_host)
    check_listen(host, port)  # before the folder is set up: a refusal here leaves nothing behind
    # Only now: the demo's modules take seconds to load, and a refused option should answer at once.
    from inzira.demo.app import Demo
    from inzira.demo.seed import SeedError
    from inzira.interop.mojaloop.demo import GatewayMissing
    from inzira.interop.mojaloop.schemas import SpecMissing

    node = Demo(data, host, port, seed_accounts=not no_seed, trusted_proxies=trusted_proxy, mojaloop_hub=mojaloop_hub,
                mojaloop_hub_id=mojaloop_hub_id, webhook_allowed_networks=webhook_allow, allowed_hosts=allowed_host)
    # Seeding is idempotent (accounts that exist are skipped), so what a failed start leaves is resumed.
    left = (f"{data} keeps what was set up before it stopped: `inzira demo --data {data}` again resumes from there "
            f"(or delete {data} to start over)")
    try:
        node.start()
    except KeyboardInterrupt:
        fail(f"interrupted while starting the demo; {left}", code=EXIT_INTERRUPTED)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:  # taken since check_listen
            fail(f"cannot start the demo: {host}:{port} is in use: stop what listens there, or choose another "
                 f"--port (0 picks a free one); {left}")
        fail(f"cannot start the demo: {exc}; once that is fixed, {left}")
    except (GatewayMissing, SeedError, SpecMissing) as exc:  # SpecMissing: --mojaloop-hub before `make install`
        fail(f"cannot start the demo: {exc}")
    except ValueError as exc:  # a file in the data folder it cannot use (a key, a token file): the message names it
        fail(f"cannot start the demo: {exc}", 2)
    tune_gc()
    runtime = node.runtime
    genesis = runtime.node.genesis  # type: ignore[union-attr]
    console.print(f"[bold]Inzira[/] demo network [cyan]{genesis.network}[/] "
                  f"({'created' if node.created else 'resumed'}), "
                  f"height {runtime.node.height}")  # type: ignore[union-attr]
    console.print(f"  web UI:    {node.url}  (block explorer)")
    console.print(f"  remit:     {node.url}remit  (sending agent, receiving FSP, compliance, regulator)")
    console.print(f"  QR:        {node.url}qr  (merchant POS, visitor wallet)")
    console.print(f"  funding:   {node.url}funding  (the issuers' officers: {data / 'funding-officers.json'})")
    if mojaloop_hub:
        console.print(f"  FSPIOP:    {node.url}fspiop  (eKash gateway, FSP id inzira; hub {mojaloop_hub}, "
                      f"FSP id {mojaloop_hub_id})")
    console.print(f"  API docs:  {node.url}docs")
    console.print(f"  API keys:  {data / 'api-keys.json'} (Bearer token per member)")
    console.print("Press Ctrl-C to stop.", style="dim")
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    stopping.wait()
    console.print("stopping ...", style="dim")
    node.stop()
