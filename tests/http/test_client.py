"""The one HTTP client against real servers on loopback: answers, problems, retries, limits, streams, and
what a hostile server or a crafted value tries. Each contract test runs on both flavours."""

from __future__ import annotations

import asyncio
import functools
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import msgspec
import pytest

from inzira.http import Answer, AsyncHttpClient, HttpClient, HttpProblem
from tests.http.conftest import SLOW_EVENTS, BoundedCall


class Session(msgspec.Struct):
    id: str
    amount_minor: int


class OnLoop:
    """The asyncio flavour driven from a test: each call on one event loop that the client keeps using."""

    def __init__(self, client: AsyncHttpClient) -> None:
        self.client = client
        self.runner = asyncio.Runner()

    def call(self, method: str, url: str, **options: Any) -> Any:
        return self.runner.run(self.client.call(method, url, **options))

    def send(self, method: str, url: str, **options: Any) -> Answer:
        return self.runner.run(self.client.send(method, url, **options))

    def lines(self, url: str, got: list[str] | None = None) -> list[str]:
        got = [] if got is None else got

        async def read() -> list[str]:
            async with self.client.stream("GET", url) as response:
                async for line in response.aiter_lines():
                    got.append(line)
            return got
        return self.runner.run(read())

    def close(self) -> None:
        self.runner.run(self.client.aclose())
        self.runner.close()


class Blocking:
    def __init__(self, client: HttpClient) -> None:
        self.client = client
        self.call = client.call
        self.send = client.send

    def lines(self, url: str, got: list[str] | None = None) -> list[str]:
        got = [] if got is None else got
        with self.client.stream("GET", url) as response:
            got.extend(response.iter_lines())
        return got

    def close(self) -> None:
        self.client.close()


@pytest.fixture(params=["blocking", "asyncio"])
def client_of(request: pytest.FixtureRequest) -> Any:
    @contextmanager
    def make(base_url: str, **settings: Any) -> Iterator[Blocking | OnLoop]:
        client = Blocking(HttpClient(base_url, **settings)) if request.param == "blocking" \
            else OnLoop(AsyncHttpClient(base_url, **settings))
        try:
            yield client
        finally:
            client.close()
    return make


def test_a_success_is_its_json_with_the_client_headers(url: str, client_of: Any) -> None:
    with client_of(url, headers={"Authorization": "Bearer t0k"}) as client:
        assert client.call("GET", "/ok") == {"answer": 42, "auth": "Bearer t0k"}
        assert client.call("POST", "/echo", json={"amount_minor": 5}) == {"amount_minor": 5}
        assert client.call("GET", f"{url}/ok") == {"answer": 42, "auth": "Bearer t0k"}  # a whole URL too


def test_a_problem_carries_status_code_detail_and_its_other_members(url: str, client_of: Any) -> None:
    with client_of(url) as client, pytest.raises(HttpProblem) as refused:
        client.call("GET", "/refused")
    problem = refused.value
    assert (problem.status, problem.code, problem.answered) == (404, 3204, True)
    assert problem.detail == "no FSP serves +250788000000" and problem.title == "party not found"
    assert problem.extra == {"refundable_minor": 7}
    assert (problem.relayed("the directory").status, problem.relayed("the directory").code) == (404, 3204)


def test_a_refusal_without_a_code_gets_one_from_its_status(url: str, client_of: Any) -> None:
    with client_of(url) as client:
        with pytest.raises(HttpProblem) as broken:
            client.call("GET", "/plain-error")
        with pytest.raises(HttpProblem) as unknown:
            client.call("GET", "/no-such-path")
    assert (broken.value.status, broken.value.code, broken.value.detail) == (500, 2003, "gateway exploded")
    assert (unknown.value.status, unknown.value.code) == (404, 3000)
    assert broken.value.relayed("the FX provider").status == 502


@pytest.mark.parametrize("answer", ["deep", "not-utf8"])
def test_json_the_decoder_cannot_read_is_an_unusable_answer_not_an_exception(url: str, client_of: Any,
                                                                              answer: str) -> None:
    """A hostile server's 10 KB of nested arrays made msgspec raise RecursionError, and a string not UTF-8 made it
    raise UnicodeDecodeError (not DecodeError), out of the client, in a success (``json()``) and in a refusal's body
    (``problem_of``), past every caller's handling."""
    with client_of(url) as client:
        with pytest.raises(HttpProblem) as in_success:
            client.call("GET", f"/{answer}/200")
        with pytest.raises(HttpProblem) as in_refusal:
            client.call("GET", f"/{answer}/422")
    assert (in_success.value.status, in_success.value.code) == (502, 2003)
    assert (in_refusal.value.status, in_refusal.value.code) == (422, 3000)  # from its status alone


def test_send_hands_back_any_answer(url: str, client_of: Any) -> None:
    with client_of(url) as client:
        answer = client.send("GET", "/refused")
    assert answer.status == 404 and not answer.is_success and answer.json()["code"] == 3204
    assert answer.headers["content-type"] == "application/problem+json"


def test_an_idempotent_call_is_retried_within_its_budget_and_a_post_is_not(url: str, hits: Counter[str],
                                                                          client_of: Any) -> None:
    hits["flaky GET"] = hits["flaky POST"] = 0
    with client_of(url, retry_budget_ms=5_000) as client:
        assert client.call("GET", "/flaky") == {"after": 3}
        with pytest.raises(HttpProblem) as busy:
            client.call("POST", "/flaky")
    assert (busy.value.status, busy.value.code) == (503, 2005)
    assert hits["flaky POST"] == 1


def test_a_post_declared_idempotent_is_retried(url: str, hits: Counter[str], client_of: Any) -> None:
    hits["flaky POST"] = 0
    with client_of(url, retry_budget_ms=5_000) as client:
        assert client.call("POST", "/flaky", idempotent=True) == {"after": 3}


def test_a_retry_after_beyond_the_budget_ends_the_tries_at_once(url: str, client_of: Any) -> None:
    with client_of(url, retry_budget_ms=5_000) as client, pytest.raises(HttpProblem) as limited:
        client.call("GET", "/limited")
    assert (limited.value.status, limited.value.code, limited.value.headers) == (429, 3041, {"Retry-After": "60"})


def test_no_answer_is_a_503_with_code_2003(client_of: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: the connection is refused
        with client_of(f"http://127.0.0.1:{port}", retry_budget_ms=300) as client, \
                pytest.raises(HttpProblem) as down:
            client.call("GET", "/ok")
    assert (down.value.status, down.value.code, down.value.answered) == (503, 2003, False)
    assert "ConnectError" in down.value.detail
    assert f"{port}" not in down.value.detail  # a detail may be passed on: it names the call, not the address
    assert down.value.relayed("the FX provider").status == 503


def test_a_call_past_its_timeout_has_no_answer(url: str, client_of: Any) -> None:
    with client_of(url) as client, pytest.raises(HttpProblem) as late:
        client.call("GET", "/slow", timeout_ms=100)
    assert late.value.answered is False and "ReadTimeout" in late.value.detail


def test_an_answer_over_the_size_limit_is_refused_declared_streamed_or_inflated(url: str, client_of: Any) -> None:
    with client_of(url, answer_bytes_max=1_000) as client:
        for path in ("/large", "/endless"):
            with pytest.raises(HttpProblem) as large:
                client.send("GET", path)
            assert (large.value.status, large.value.code) == (502, 2003)
    with client_of(url, answer_bytes_max=1_000_000) as client, pytest.raises(HttpProblem) as bomb:
        client.send("GET", "/bomb")  # 10 kB of gzip that would inflate to 10 MB
    assert (bomb.value.status, bomb.value.code) == (502, 2003) and "larger than 1000000 bytes" in bomb.value.detail


def test_a_redirect_is_not_followed(url: str, hits: Counter[str], client_of: Any) -> None:
    oks = hits["ok"]
    with client_of(url) as client:
        assert client.send("GET", "/moved").status == 302
        with pytest.raises(HttpProblem) as moved:
            client.call("GET", "/moved")
    assert moved.value.status == 302 and hits["ok"] == oks


def test_no_proxy_is_taken_from_the_environment(url: str, client_of: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with client_of(url) as client:
        assert client.call("GET", "/ok")["answer"] == 42


def test_parameters_and_bodies_go_as_written(url: str, client_of: Any) -> None:
    with client_of(url) as client:
        seen = client.call("GET", "/request", params={"wait_ms": 5, "all": True, "none": None, "to": ["a", "b"]})
        raw = client.call("POST", "/request", content=b"raw")
        form = client.call("POST", "/request", data={"amount_minor": "7"})
    assert seen["query"] == "wait_ms=5&all=true&none=&to=a&to=b"
    assert (raw["type"], raw["body"]) == ("", "raw")  # no type made up for raw bytes
    assert (form["type"], form["body"]) == ("application/x-www-form-urlencoded", "amount_minor=7")


def test_a_crafted_value_cannot_change_the_call(url: str, client_of: Any) -> None:
    with client_of(url) as client:
        # A line end in a path would be dropped by one URL parser (another party's id) and refused by another.
        for path in ("/request/+250788\r\nX-Evil: 1", "/request\t", "/request\x00"):
            with pytest.raises(HttpProblem) as crafted:
                client.call("GET", path)
            assert (crafted.value.status, crafted.value.code) == (400, 3101)
        with pytest.raises(HttpProblem) as header:
            client.call("GET", "/request", headers={"X-Note": "a\r\nX-Evil: 1"})
    assert header.value.status == 503 and header.value.answered is False  # never sent


def test_a_url_that_does_not_parse_is_refused_not_raised(url: str, client_of: Any) -> None:
    """A URL from another party (a peer's address in its signed checkpoint) that no parser takes is a refusal
    with a code, never a ValueError out of the call: one ended a peer's follower."""
    with client_of(url) as client:
        for bad in ("http://[::1/v1/peer/snapshots/5", "https://[x]:1/v1"):
            with pytest.raises(HttpProblem) as refused:
                client.send("GET", bad)
            assert (refused.value.status, refused.value.code) == (400, 3101)


def test_a_dot_segment_never_reaches_another_resource(url: str, client_of: Any) -> None:
    """A '..' in an id must not turn ``/raw/<id>`` into ``/``: the blocking flavour (httpx resolves dot
    segments) refuses the call unsent, the asyncio flavour sends the path as written."""
    with client_of(url) as client:
        for path in ("/raw/..", "/raw/./x", "/raw/a/../../request"):
            try:
                answer = client.call("GET", path)
            except HttpProblem as refused:
                assert isinstance(client, Blocking) and (refused.status, refused.code) == (400, 3101)
            else:
                assert isinstance(client, OnLoop) and answer["path"] == path
        assert client.call("GET", "/raw/a..b/.x")["path"] == "/raw/a..b/.x"  # dots inside a segment are plain


def test_a_server_that_breaks_off_or_is_not_http_gives_no_answer(raw_url: str, client_of: Any) -> None:
    with client_of(raw_url) as client:
        for path in ("/garbage", "/cut", "/nothing"):
            with pytest.raises(HttpProblem) as broken:
                client.call("GET", path)
            assert (broken.value.status, broken.value.code, broken.value.answered) == (503, 2003, False)


# 3 timeouts of TRICKLE_TIMEOUT_MS, with room for a loaded machine; the peer drips for 20 s.
TRICKLE_TIMEOUT_MS = 200
TRICKLE_ENDS_S = 3.0


def _raised_within(bound_s: float, call: Callable[[], object]) -> BaseException | None:
    """What ``call`` raised (None if nothing); a failure at once if it still runs after ``bound_s``, however
    long the peer would hold it."""
    run = BoundedCall(call, bound_s)
    assert run.ended_in_time, f"the call still ran after {bound_s} s"
    return run.raised


def test_a_trickled_answer_ends_at_the_attempts_deadline(raw_url: str, client_of: Any) -> None:
    """Each byte within the timeout, the whole never: whether the peer trickles its status line and headers
    or its body, the call ends after 3 timeouts (ATTEMPT_TIMEOUTS_MAX), not after the peer's 20 s."""
    with client_of(raw_url, timeout_ms=TRICKLE_TIMEOUT_MS) as client:
        for path in ("/drip-head", "/drip-body"):
            slow = _raised_within(TRICKLE_ENDS_S, functools.partial(client.call, "GET", path))
            assert isinstance(slow, HttpProblem), path
            assert (slow.status, slow.code, slow.answered) == (503, 2003, False), path


def test_a_streams_opening_is_held_to_the_attempts_deadline_and_not_what_follows(url: str, raw_url: str,
                                                                                client_of: Any) -> None:
    with client_of(raw_url, timeout_ms=TRICKLE_TIMEOUT_MS) as client:
        slow = _raised_within(TRICKLE_ENDS_S, functools.partial(client.lines, "/drip-head"))
    with client_of(url, timeout_ms=300) as client:  # the events span 1.2 s, past the attempt's 0.9 s
        lines = [line for line in client.lines("/slow-events") if line]
    assert isinstance(slow, HttpProblem) and (slow.status, slow.answered) == (503, False)
    assert lines == [f"data: {n}" for n in range(SLOW_EVENTS)]


def test_the_blocking_flavour_refuses_an_httpx_it_cannot_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its deadline replaces httpx's private pool: an httpx without one fails loudly, not silently unbounded."""
    built = httpx.HTTPTransport.__init__

    def renamed(transport: httpx.HTTPTransport, *args: Any, **kwargs: Any) -> None:
        built(transport, *args, **kwargs)
        transport.pool = transport.__dict__.pop("_pool")  # as a new httpx might keep it

    monkeypatch.setattr(httpx.HTTPTransport, "__init__", renamed)
    with pytest.raises(RuntimeError, match="cannot bound"):
        HttpClient("http://127.0.0.1:9")


@pytest.mark.parametrize("flavour", [HttpClient, AsyncHttpClient])
def test_an_attempt_shorter_than_one_timeout_is_refused(flavour: type) -> None:
    """The wait for a pooled connection is bounded by the timeout: an attempt shorter than it would not hold."""
    with pytest.raises(ValueError, match="shorter than timeout_ms"):
        flavour("http://127.0.0.1:9", timeout_ms=5_000, attempt_ms_max=300)
    flavour("http://127.0.0.1:9", timeout_ms=5_000, attempt_ms_max=5_000)


def test_a_stream_yields_lines_as_they_come_and_a_refused_one_is_a_problem(url: str, client_of: Any) -> None:
    with client_of(url) as client:
        data = [line for line in client.lines("/events") if line.startswith("data: ")]
        with pytest.raises(HttpProblem) as refused:
            client.lines("/refused")
    assert data == ["data: 0", "data: 1", "data: 2"] and refused.value.code == 3204


def test_a_stream_bounds_its_lines_and_turns_a_break_into_a_problem(url: str, raw_url: str,
                                                                    client_of: Any) -> None:
    long_lines: list[str] = []
    with client_of(url, answer_bytes_max=2_000) as client, pytest.raises(HttpProblem) as too_long:
        client.lines("/long-line", long_lines)
    cut: list[str] = []
    with client_of(raw_url) as client, pytest.raises(HttpProblem) as broken:
        client.lines("/cut-stream", cut)
    assert (too_long.value.status, too_long.value.code) == (502, 2003) and long_lines == ["data: 1", ""]
    assert (broken.value.status, broken.value.answered) == (503, False) and cut == ["data: 0", ""]


def test_the_async_flavour_keeps_its_contract_on_any_event_loop_and_drops_closed_loops_pools(url: str) -> None:
    client = AsyncHttpClient(url, retry_budget_ms=5_000)

    async def calls() -> tuple[object, int, list[str]]:
        ok = await client.call("GET", "/ok")
        with pytest.raises(HttpProblem) as refused:
            await client.call("GET", "/refused")
        async with client.stream("GET", "/events") as response:
            lines = [line async for line in response.aiter_lines() if line.startswith("data: ")]
        return ok, refused.value.code, lines

    first = asyncio.run(calls())
    second = asyncio.run(calls())  # another loop: the client opens a pool there
    asyncio.run(client.aclose())
    assert first == second == ({"answer": 42, "auth": ""}, 3204, ["data: 0", "data: 1", "data: 2"])
    assert client._sessions == {}  # the closed loops' pools are not kept (nor their loops)


def test_the_async_flavour_learns_its_address_late(url: str) -> None:
    client = AsyncHttpClient()

    async def call() -> object:
        client.connect(url)
        try:
            return await client.call("GET", "/ok")
        finally:
            await client.aclose()

    assert asyncio.run(call()) == {"answer": 42, "auth": ""}


def test_the_async_flavour_sends_an_encoded_path_as_written_and_no_auto_header_it_is_told_to_skip(url: str) -> None:
    plain, bare = AsyncHttpClient(url), AsyncHttpClient(url, skip_auto_headers=("Accept",))

    async def calls() -> list[Any]:
        try:
            # An escaped '/', escaped unreserved characters and a '..' segment: decoded or resolved, the path
            # would name another resource than the one a signature covers.
            return [await plain.call("GET", "/raw/MSISDN/a%2Fb%41%7e/.."), await plain.call("GET", "/raw/a b"),
                    await bare.call("GET", "/raw/x"), await bare.call("GET", "/raw/x", headers={"Accept": "text/x"})]
        finally:
            await plain.aclose()
            await bare.aclose()

    exact, quoted, skipped, asked = asyncio.run(calls())
    assert exact == {"path": "/raw/MSISDN/a%2Fb%41%7e/..", "accept": "*/*"}
    assert quoted["path"] == "/raw/a%20b"  # not yet encoded: quoted on the way out
    assert skipped["accept"] is None and asked["accept"] == "text/x"


def test_an_answer_of_another_shape_than_asked_is_a_502() -> None:
    answers = iter([b'{"id": "cs_1", "amount_minor": 500}', b'{"id": "cs_1", "amount_minor": "500"}', b"[1,"])
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=next(answers)))
    with HttpClient("http://acquirer.test", transport=transport) as client:
        assert client.call("GET", "/v1/sessions/cs_1", kind=Session) == Session("cs_1", 500)
        for _ in range(2):
            with pytest.raises(HttpProblem) as odd:
                client.call("GET", "/v1/sessions/cs_1", kind=Session)
            assert (odd.value.status, odd.value.code) == (502, 2003)
