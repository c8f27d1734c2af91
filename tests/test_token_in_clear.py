"""No command sends a bearer token over plain http:// to another machine, where anyone on the path reads it: a
links file or a pasted --url may name one. Each refuses before sending anything (the address is never routed, so
a command that tried would wait for its timeout and say "no answer" instead), and says to use https://."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from inzira.cli.common import clear_text_refusal
from inzira.cli.main import app

NOT_ROUTED = "http://192.0.2.7:8000"  # TEST-NET-1 (RFC 5737): another machine, reached over plain http
NUMBER = "+250789000512"
USAGE_ERROR = 2


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), terminal_width=400)


def text(result: Result) -> str:
    return " ".join(result.output.split())


def refused_in_clear(result: Result) -> bool:
    return (result.exit_code == USAGE_ERROR and isinstance(result.exception, SystemExit)
            and "in clear" in text(result) and "https://" in text(result))


def test_directory_lookup_and_register_refuse_plain_http_to_another_host(tmp_path: Path) -> None:
    links = tmp_path / "links.json"
    links.write_text(json.dumps({"directory_url": "http://10.20.0.5:8000", "directory_token": "secret"}))
    for args in (["lookup", NUMBER, "--url", NOT_ROUTED, "--token", "secret"],
                 ["lookup", NUMBER, "--links", str(links)],
                 ["lookup", NUMBER, "--links", str(links), "--url", "http://directory.example"],
                 ["register", NUMBER, "--url", NOT_ROUTED, "--token", "secret"]):
        refused = run("directory", *args)
        assert refused_in_clear(refused), (args, refused.output)
    as_json = run("directory", "lookup", NUMBER, "--url", NOT_ROUTED, "--token", "secret", "--json")
    assert as_json.exit_code == USAGE_ERROR and json.loads(as_json.output)["error"]["code"] == "clear_text"


def test_remit_send_and_mojaloop_reconcile_refuse_plain_http_to_another_host(tmp_path: Path) -> None:
    sent = run("remit", "send", "--from", "eurosend", "--to", NUMBER, "--amount", "10 EUR", "--sender", "A B",
               "--receiver-name", "C D", "--yes", "--url", NOT_ROUTED, "--token", "secret", "--out", str(tmp_path))
    assert refused_in_clear(sent), sent.output
    reconciled = run("mojaloop", "reconcile", "--url", NOT_ROUTED, "--token", "secret")
    assert refused_in_clear(reconciled), reconciled.output


def test_loopback_and_https_may_carry_a_token() -> None:
    for url in ("http://127.0.0.1:8000", "http://127.8.0.1", "http://[::1]:8000", "http://localhost:8000",
                "https://10.20.0.5:8443", "https://directory.example"):
        assert clear_text_refusal(url) is None, url
    for url in ("http://10.20.0.5:8000", "http://directory.example", "http://127.0.0.1.nip.io",
                "http://[::ffff:a14:5]", "ftp://127.0.0.1", "http://[::1", "https://", "127.0.0.1:8000"):
        assert clear_text_refusal(url) is not None, url
