"""The one HTTP client against a real server on loopback: answers, problems, retries, limits, streams."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter

import httpx
import msgspec
import pytest

from inzira.http import AsyncHttpClient, HttpClient, HttpProblem


class Session(msgspec.Struct):
    id: str
    amount_minor: int


def test_a_success_is_its_json_with_the_client_headers(url: str) -> None:
    with HttpClient(url, headers={"Authorization": "Bearer t0k"}) as client:
        assert client.call("GET", "/ok") == {"answer": 42, "auth": "Bearer t0k"}
        assert client.call("POST", "/echo", json={"amount_minor": 5}) == {"amount_minor": 5}


def test_a_problem_carries_status_code_detail_and_its_other_members(url: str) -> None:
    with HttpClient(url) as client, pytest.raises(HttpProblem) as refused:
        client.call("GET", "/refused")
    problem = refused.value
    assert (problem.status, problem.code, problem.answered) == (404, 3204, True)
    assert problem.detail == "no FSP serves +250788000000" and problem.title == "party not found"
    assert problem.extra == {"refundable_minor": 7}
    assert (problem.relayed("the directory").status, problem.relayed("the directory").code) == (404, 3204)


def test_a_refusal_without_a_code_gets_one_from_its_status(url: str) -> None:
    with HttpClient(url) as client:
        with pytest.raises(HttpProblem) as broken:
            client.call("GET", "/plain-error")
        with pytest.raises(HttpProblem) as unknown:
            client.call("GET", "/no-such-path")
    assert (broken.value.status, broken.value.code, broken.value.detail) == (500, 2003, "gateway exploded")
    assert (unknown.value.status, unknown.value.code) == (404, 3000)
    assert broken.value.relayed("the FX provider").status == 502


def test_send_hands_back_any_answer(url: str) -> None:
    with HttpClient(url) as client:
        answer = client.send("GET", "/refused")
    assert answer.status == 404 and not answer.is_success and answer.json()["code"] == 3204


def test_an_idempotent_call_is_retried_within_its_budget_and_a_post_is_not(url: str, hits: Counter[str]) -> None:
    with HttpClient(url, retry_budget_ms=5_000) as client:
        assert client.call("GET", "/flaky") == {"after": 3}
        with pytest.raises(HttpProblem) as busy:
            client.call("POST", "/flaky")
    assert (busy.value.status, busy.value.code) == (503, 2005)
    assert hits["flaky POST"] == 1


def test_a_post_declared_idempotent_is_retried(url: str, hits: Counter[str]) -> None:
    hits["flaky POST"] = 0
    with HttpClient(url, retry_budget_ms=5_000) as client:
        assert client.call("POST", "/flaky", idempotent=True) == {"after": 3}


def test_a_retry_after_beyond_the_budget_ends_the_tries_at_once(url: str) -> None:
    with HttpClient(url, retry_budget_ms=5_000) as client, pytest.raises(HttpProblem) as limited:
        client.call("GET", "/limited")
    assert (limited.value.status, limited.value.code, limited.value.headers) == (429, 3041, {"Retry-After": "60"})


def test_no_answer_is_a_503_with_code_2003() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: the connection is refused
        with HttpClient(f"http://127.0.0.1:{port}", retry_budget_ms=300) as client, \
                pytest.raises(HttpProblem) as down:
            client.call("GET", "/ok")
    assert (down.value.status, down.value.code, down.value.answered) == (503, 2003, False)
    assert f"{port}" not in down.value.detail  # a detail may be passed on: it names the call, not the address
    assert down.value.relayed("the FX provider").status == 503


def test_a_call_past_its_timeout_has_no_answer(url: str) -> None:
    with HttpClient(url) as client, pytest.raises(HttpProblem) as late:
        client.call("GET", "/slow", timeout_ms=100)
    assert late.value.answered is False and "ReadTimeout" in late.value.detail


def test_an_answer_over_the_size_limit_is_refused(url: str) -> None:
    with HttpClient(url, answer_bytes_max=1_000) as client, pytest.raises(HttpProblem) as large:
        client.send("GET", "/large")
    assert (large.value.status, large.value.code) == (502, 2003)


def test_a_stream_yields_as_it_comes_and_a_refused_one_is_a_problem(url: str) -> None:
    with HttpClient(url) as client:
        with client.stream("GET", "/events") as response:
            data = [line for line in response.iter_lines() if line.startswith("data: ")]
        with pytest.raises(HttpProblem) as refused, client.stream("GET", "/refused"):
            pass
    assert data == ["data: 0", "data: 1", "data: 2"] and refused.value.code == 3204


def test_the_async_flavour_keeps_the_same_contract_on_any_event_loop(url: str) -> None:
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


def test_the_async_flavour_learns_its_address_late(url: str) -> None:
    client = AsyncHttpClient()

    async def call() -> object:
        client.connect(url)
        try:
            return await client.call("GET", "/ok")
        finally:
            await client.aclose()

    assert asyncio.run(call()) == {"answer": 42, "auth": ""}


def test_an_answer_of_another_shape_than_asked_is_a_502() -> None:
    answers = iter([b'{"id": "cs_1", "amount_minor": 500}', b'{"id": "cs_1", "amount_minor": "500"}', b"[1,"])
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=next(answers)))
    with HttpClient("http://acquirer.test", transport=transport) as client:
        assert client.call("GET", "/v1/sessions/cs_1", kind=Session) == Session("cs_1", 500)
        for _ in range(2):
            with pytest.raises(HttpProblem) as odd:
                client.call("GET", "/v1/sessions/cs_1", kind=Session)
            assert (odd.value.status, odd.value.code) == (502, 2003)
