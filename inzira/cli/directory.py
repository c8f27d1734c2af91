"""``inzira directory``: ask the directory operator who serves a phone number, and list a wallet's number.

``lookup`` asks the operator's API (``/v1/directory``, docs/directory.md) as a sending FSP, with the token the
operator issued it: from a member's links file (``--links``: ``directory_url`` and ``directory_token``), given
(``--token``), or, against a demo, the member's API token in ``--data``'s api-keys.json. ``register`` has a
receiving FSP's remittance service list a number (``POST /v1/remit/directory``), with that FSP's API token. Every
refusal is a sentence and an exit status, never a traceback; what a server says is printed as text, not markup,
its control characters shown escaped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional

import typer
from rich.markup import escape

from inzira.cli.common import DEFAULT_DATA_DIR, clear_text_refusal, console, fail, print_json, shown_escaped
from inzira.directory.wire import MSISDN_CHARS_MAX

if TYPE_CHECKING:
    from inzira.http import HttpClient, HttpProblem

app = typer.Typer(help="The party directory: who serves a phone number; listing a wallet's number.",
                  no_args_is_help=True)

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT_MS = 10_000
RETRY_BUDGET_MS = 1_000
NOT_FOUND = 3204
UNAVAILABLE = 2003
EXIT_OK = 0  # lookup: the number is listed; register: it is listed for the member now
EXIT_NOT_LISTED = 1  # lookup: no FSP serves it; register: not listed (refused, or disputed: the regulator decides)
USAGE_ERROR = 2  # not a phone number, no token, an unreadable links file, a token to send in clear
EXIT_NO_ANSWER = 3  # lookup: the directory refused the question (token, role, allowance) or did not answer
EXIT_STATUSES = (f"Exit status: {EXIT_OK} listed; {EXIT_NOT_LISTED} not listed; {USAGE_ERROR} usage error (not a "
                 f"phone number, no token, plain http:// to another host); {EXIT_NO_ANSWER} (lookup) refused or not "
                 "answered: token, role, "
                 "allowance, directory unreachable.")

_JSON = typer.Option(False, "--json", help="Print one JSON object (errors too, on stdout).")
_DATA = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="A folder with api-keys.json (a demo's, or a peer's).")
_MEMBER = typer.Option(None, "--member", "-m", help="Whose token to read from --data's api-keys.json "
                       "(default: its only one).")
_TOKEN = typer.Option(None, "--token", help="The bearer token to send.")


def _plain(text: str) -> str:
    """``text`` for the terminal as written: no Rich markup, and its control, format and line-break characters
    shown escaped (``\\x1b``), so a server's answer cannot clear the screen, retitle it or rewrite a line."""
    return escape(shown_escaped(text))


def _fail(message: str, code: int, as_json: bool, error_code: str) -> NoReturn:
    """``fail`` with a message of plain text: what a server, a file or the user wrote is never Rich markup."""
    fail(message if as_json else _plain(message), code, as_json, error_code)


def _number(text: str, as_json: bool) -> str:
    """The E.164 form of a Rwandan mobile number, or a clean failure: nothing is asked for a malformed one."""
    from inzira.remit.phone import PhoneNumberError, parse_payout_phone

    try:
        return parse_payout_phone(text[:MSISDN_CHARS_MAX + 1])
    except PhoneNumberError as exc:
        _fail(f"{text} is not a number the directory lists: {exc}", USAGE_ERROR, as_json, "not_a_number")


def _api_token(member: Optional[str], data: Path, as_json: bool, other_ways: str) -> str:
    """``member``'s token in ``data``'s api-keys.json, or the file's only one when no member is named."""
    from inzira.demo.setup import API_KEYS_FILE, load_api_keys

    path = data / API_KEYS_FILE
    try:
        keys = load_api_keys(data)
    except (OSError, ValueError) as exc:
        _fail(f"cannot read the API tokens in {path}: {exc}", USAGE_ERROR, as_json, "no_token")
    if not isinstance(keys, dict) or not keys:
        _fail(f"no API tokens in {path} (no such file, or empty): {other_ways}", USAGE_ERROR, as_json, "no_token")
    if member is None and len(keys) > 1:
        _fail(f"{path} holds the tokens of {', '.join(sorted(keys))}: say whose with --member, or {other_ways}",
              USAGE_ERROR, as_json, "no_token")
    token = keys.get(member) if member is not None else next(iter(keys.values()))
    if not isinstance(token, str):
        _fail(f"no API token for {member} in {path}: {other_ways}", USAGE_ERROR, as_json, "no_token")
    return token


def _lookup_target(links: Optional[Path], url: Optional[str], token: Optional[str], member: Optional[str],
                   data: Path, as_json: bool) -> tuple[str, str]:
    """(the directory's URL, the token to send): --token, else the links file's, else the member's API token."""
    link_url = link_token = ""
    if links is not None:
        from inzira.deploy.links import Links

        try:
            loaded = Links.load(links)
        except (OSError, ValueError) as exc:
            _fail(f"cannot read the links file {links}: {exc}", USAGE_ERROR, as_json, "bad_links")
        link_url, link_token = loaded.directory_url, loaded.directory_token
        if not (url or link_url):
            _fail(f"{links} has no directory_url: give --url", USAGE_ERROR, as_json, "no_url")
        if not (token or link_token):
            _fail(f"{links} has no directory_token: give --token", USAGE_ERROR, as_json, "no_token")
    chosen = token or link_token or _api_token(
        member, data, as_json, "give --links FILE (its directory_token) or --token")
    return url or link_url or DEFAULT_URL, chosen


def _refused(exc: "HttpProblem", where: str, url: str, as_json: bool, code: int) -> NoReturn:
    """A refusal or no answer, said plainly: the server's words, its code, what to do."""
    if not exc.answered or (exc.code == UNAVAILABLE and exc.status >= 500):
        _fail(f"{where} at {url} did not answer: {exc.detail}", code, as_json, "unreachable")
    hint = {401: ": the token is not one it issued", 429: f": retry in {exc.headers.get('Retry-After', '?')} s"}
    _fail(f"{where} refused: {exc.detail} (code {exc.code}){hint.get(exc.status, '')}", code, as_json, str(exc.code))


def _client(url: str, token: str, as_json: bool) -> "HttpClient":
    """A client sending ``token``, refused before anything is sent when the token would cross the network in
    clear: a links file or a pasted URL may name another machine over plain http://."""
    from inzira.http import HttpClient

    refusal = clear_text_refusal(url)
    if refusal is not None:
        _fail(refusal, USAGE_ERROR, as_json, "clear_text")

    return HttpClient(url, headers={"Authorization": f"Bearer {token}"}, timeout_ms=TIMEOUT_MS,
                      retry_budget_ms=RETRY_BUDGET_MS)


@app.command(epilog=EXIT_STATUSES)
def lookup(
    number: str = typer.Argument(..., help="A Rwandan mobile number, e.g. +250788123456."),
    links: Optional[Path] = typer.Option(None, "--links", help="A sending FSP's links file: its directory_url "
                                         "and directory_token."),
    url: Optional[str] = typer.Option(None, "--url", help="The directory operator's API (default: the links "
                                      f"file's directory_url, else {DEFAULT_URL})."),
    token: Optional[str] = _TOKEN, member: Optional[str] = _MEMBER, data: Path = _DATA, as_json: bool = _JSON,
) -> None:
    """Which FSP serves a number, asked as a sending FSP (counted against its look-up allowance and logged)."""
    from inzira.http import HttpProblem

    e164 = _number(number, as_json)
    base, chosen = _lookup_target(links, url, token, member, data, as_json)
    with _client(base, chosen, as_json) as client:
        try:
            answer = client.call("GET", f"/v1/directory/parties/MSISDN/{e164}")
        except HttpProblem as exc:
            if exc.status == 404 and exc.code == NOT_FOUND:
                _not_listed(e164, exc.detail, as_json)
            _refused(exc, "the directory", base, as_json, EXIT_NO_ANSWER)
    fsp = answer.get("fsp_id") if isinstance(answer, dict) else None
    if not isinstance(fsp, str):
        _fail(f"the directory at {base} answered no FSP for {e164}", EXIT_NO_ANSWER, as_json, "bad_answer")
    if as_json:
        print_json({"msisdn": e164, "listed": True, "fsp_id": fsp})
    else:
        console.print(f"{e164} is listed for [bold]{_plain(fsp)}[/]")


def _not_listed(e164: str, detail: str, as_json: bool) -> NoReturn:
    if as_json:
        print_json({"msisdn": e164, "listed": False, "fsp_id": None})
    else:
        console.print(f"{e164} is not listed: {_plain(detail)} (code {NOT_FOUND})", style="yellow")
    raise typer.Exit(EXIT_NOT_LISTED)


@app.command(epilog=EXIT_STATUSES)
def register(
    number: str = typer.Argument(..., help="The wallet's number, e.g. +250788123456."),
    url: str = typer.Option(..., "--url", help="The receiving FSP's own deployment (its remittance API)."),
    token: Optional[str] = _TOKEN, member: Optional[str] = _MEMBER, data: Path = _DATA, as_json: bool = _JSON,
) -> None:
    """List a wallet's number for a receiving FSP: its service signs the request, the operator confirms the
    wallet with the FSP's account-holder API and lists it on chain (a number another FSP holds: a dispute)."""
    from inzira.http import HttpProblem

    e164 = _number(number, as_json)
    chosen = token or _api_token(member, data, as_json, "give --token")
    with _client(url, chosen, as_json) as client:
        try:
            answer = client.call("POST", "/v1/remit/directory", json={"msisdn": e164})
        except HttpProblem as exc:
            _refused(exc, "the FSP's service", url, as_json, EXIT_NOT_LISTED)
    answer = answer if isinstance(answer, dict) else {}
    state = answer.get("state")
    if as_json:
        print_json(answer)
    elif state == "LISTED":
        console.print(f"{e164} is listed for [bold]{_plain(str(answer.get('fsp_id')))}[/] (state LISTED)")
    else:
        console.print(f"{e164} is not listed for this FSP: state {_plain(str(state))}; "
                      f"{_plain(str(answer.get('detail') or 'another FSP holds it: the regulator decides'))}",
                      style="yellow")
    raise typer.Exit(EXIT_OK if state == "LISTED" else EXIT_NOT_LISTED)
