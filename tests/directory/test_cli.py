"""`inzira directory lookup` and `register` against the real operator and remittance service on loopback. Before,
asking who serves a number or listing one took curl and a one-liner reading a token out of a JSON file."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from inzira.cli.directory import EXIT_NO_ANSWER, EXIT_NOT_LISTED, USAGE_ERROR
from inzira.cli.main import app
from tests.directory.conftest import Directory

UNLISTED = "+250789000512"
SERVER_STOP_TIMEOUT_S = 10.0


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["directory", *args])


def text(result: Result) -> str:
    return " ".join(result.output.split())


def lookups_logged(directory: Directory) -> int:
    return len(directory.operator.store.audit_page(200, member="eurosend"))


def test_a_number_listed_with_register_is_found_with_lookup(directory: Directory, tmp_path: Path) -> None:
    number = directory.wallet("mobimo")
    url, data = directory.served.base_url, str(directory.data_dir)
    national = "0" + number.removeprefix("+250")  # as people write it
    listed = run("register", national, "--url", url, "--member", "mobimo", "--data", data)
    assert listed.exit_code == 0, listed.output
    assert f"{number} is listed for mobimo (state LISTED)" in text(listed)
    assert directory.listed(number) == "mobimo"

    found = run("lookup", number, "--url", url, "--member", "eurosend", "--data", data)
    assert found.exit_code == 0 and f"{number} is listed for mobimo" in text(found), found.output
    as_json = run("lookup", national, "--url", url, "--member", "eurosend", "--data", data, "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.output) == {"msisdn": number, "listed": True,
                                                                     "fsp_id": "mobimo"}
    # A sending FSP's own deployment: the directory's URL and the token the operator issued it, in its links file.
    links = tmp_path / "eurosend-links.json"
    links.write_text(json.dumps({"directory_url": url, "directory_token": directory.tokens["eurosend"]}))
    by_links = run("lookup", number, "--links", str(links))
    assert by_links.exit_code == 0 and f"{number} is listed for mobimo" in text(by_links), by_links.output

    directory.wallet("ubumwe", number)  # another FSP claims it: the regulator decides
    again = run("register", number, "--url", url, "--token", directory.tokens["ubumwe"])
    assert again.exit_code == EXIT_NOT_LISTED and "state DISPUTED" in text(again), again.output
    assert directory.listed(number) == "mobimo"


def test_an_unlisted_number_a_bad_number_and_no_token_are_said_plainly(directory: Directory, tmp_path: Path) -> None:
    url, data = directory.served.base_url, str(directory.data_dir)
    unlisted = run("lookup", UNLISTED, "--url", url, "--member", "eurosend", "--data", data)
    assert unlisted.exit_code == EXIT_NOT_LISTED and f"{UNLISTED} is not listed" in text(unlisted)
    assert "code 3204" in text(unlisted) and isinstance(unlisted.exception, SystemExit)
    as_json = run("lookup", UNLISTED, "--url", url, "--member", "eurosend", "--data", data, "--json")
    assert as_json.exit_code == EXIT_NOT_LISTED
    assert json.loads(as_json.output) == {"msisdn": UNLISTED, "listed": False, "fsp_id": None}

    before = lookups_logged(directory)
    for bad, said in (("12345", "not a number the directory lists"), ("+33612345678", "not a Rwandan number"),
                      ("7" * 300, "not a number the directory lists")):
        refused = run("lookup", bad, "--url", url, "--member", "eurosend", "--data", data)
        assert refused.exit_code == USAGE_ERROR and said in text(refused), refused.output
        assert isinstance(refused.exception, SystemExit)
    assert lookups_logged(directory) == before  # nothing was asked

    for args, said in ((["--data", str(tmp_path)], "no API tokens in"),
                       (["--data", data], "say whose with --member"),
                       (["--data", data, "--member", "nobody"], "no API token for nobody")):
        refused = run("lookup", UNLISTED, "--url", url, *args)
        assert refused.exit_code == USAGE_ERROR and said in text(refused), refused.output
    links = tmp_path / "links.json"
    links.write_text(json.dumps({"directory_url": url}))
    no_token = run("lookup", UNLISTED, "--links", str(links))
    assert no_token.exit_code == USAGE_ERROR and "has no directory_token" in text(no_token)
    links.write_text("directory_url = x")
    broken = run("lookup", UNLISTED, "--links", str(links))
    assert broken.exit_code == USAGE_ERROR and "cannot read the links file" in text(broken)


def test_refusals_and_an_unreachable_directory_are_an_exit_status_not_a_traceback(directory: Directory) -> None:
    url, data = directory.served.base_url, str(directory.data_dir)
    wrong = run("lookup", UNLISTED, "--url", url, "--token", "not-a-token")
    assert wrong.exit_code == EXIT_NO_ANSWER and "code 3040" in text(wrong) and "not one it issued" in text(wrong)
    receiving = run("lookup", UNLISTED, "--url", url, "--member", "mobimo", "--data", data)
    assert receiving.exit_code == EXIT_NO_ANSWER and "only a sending FSP" in text(receiving)
    assert "code 4300" in text(receiving)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    gone = run("lookup", UNLISTED, "--url", closed, "--member", "eurosend", "--data", data, "--json")
    assert gone.exit_code == EXIT_NO_ANSWER and json.loads(gone.output)["error"]["code"] == "unreachable"
    assert isinstance(gone.exception, SystemExit)
    not_fsp = run("register", UNLISTED, "--url", url, "--member", "mobimo", "--data", data)
    assert not_fsp.exit_code == EXIT_NOT_LISTED and "code 3204" in text(not_fsp)  # no wallet there


class _Markup(BaseHTTPRequestHandler):
    """A server whose every text is Rich markup: the CLI must print it as written."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if "250788" in self.path:
            self._answer(200, "application/json", {"msisdn": "+250788123456", "fsp_id": "[bold red]evil[/]"})
        else:
            self._answer(404, "application/problem+json", {"status": 404, "code": 3204, "title": "not found",
                                                           "detail": "[link=http://x]click[/link] [blink]me"})

    def _answer(self, status: int, kind: str, doc: dict[str, object]) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A server on loopback answering with ``handler``, its URL; stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(SERVER_STOP_TIMEOUT_S)


@pytest.fixture
def markup_server() -> Iterator[str]:
    yield from _serving(_Markup)


def test_what_a_server_says_is_printed_as_text_not_markup(markup_server: str) -> None:
    found = run("lookup", "+250788123456", "--url", markup_server, "--token", "t")
    assert found.exit_code == 0 and "[bold red]evil[/]" in found.output, found.output
    unlisted = run("lookup", UNLISTED, "--url", markup_server, "--token", "t")
    assert unlisted.exit_code == EXIT_NOT_LISTED and "[link=http://x]click[/link] [blink]me" in unlisted.output


class _Escapes(_Markup):
    """A server whose every text carries terminal escapes: clear the screen, set the title, rewrite the line."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if "250788" in self.path:
            self._answer(200, "application/json", {"msisdn": "+250788123456",
                                                   "fsp_id": "\x1b[2J\x1b]0;pwned\x07mobimo\rubumwe"})
        else:
            self._answer(404, "application/problem+json", {"status": 404, "code": 3204, "title": "not found",
                                                           "detail": "\x1b[1A\x1b[2Kexit 0: listed for \x9bmobimo"})

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self._answer(200, "application/json", {"state": "\x1b[32mLISTED", "detail": "\x1b[2Jok\u202etsil"})


@pytest.fixture
def escapes_server() -> Iterator[str]:
    yield from _serving(_Escapes)


def test_a_servers_terminal_escapes_reach_the_terminal_as_visible_text(escapes_server: str) -> None:
    """What a hostile directory or service says must not drive the user's terminal (clear it, retitle it, rewrite
    the line above to show another answer): control and format characters are shown escaped, as text."""
    found = run("lookup", "+250788123456", "--url", escapes_server, "--token", "t")
    unlisted = run("lookup", UNLISTED, "--url", escapes_server, "--token", "t")
    registered = run("register", UNLISTED, "--url", escapes_server, "--token", "t")
    assert found.exit_code == 0 and unlisted.exit_code == EXIT_NOT_LISTED, (found.output, unlisted.output)
    assert registered.exit_code == EXIT_NOT_LISTED, registered.output  # not "LISTED": the state is as sent
    for result in (found, unlisted, registered):
        assert not any(c in result.output for c in "\x1b\x07\r\x9b\u202e"), repr(result.output)
    assert "\\x1b[2J" in found.output and "mobimo\\rubumwe" in found.output


def test_a_url_without_its_scheme_is_a_usage_error_not_no_answer() -> None:
    """"127.0.0.1:8000" reached the HTTP client and came back as "did not answer (UnsupportedProtocol)", exit 3."""
    for command in ("lookup", "register"):
        refused = run(command, UNLISTED, "--url", "127.0.0.1:8000", "--token", "t")
        assert refused.exit_code == USAGE_ERROR and "is not an HTTP URL" in text(refused), refused.output
        assert "http://127.0.0.1:8000" in text(refused)
