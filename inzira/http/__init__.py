"""The one way out: every HTTP call the product makes goes through ``inzira.http`` (``HttpClient``, blocking,
in ``client``; ``AsyncHttpClient``, asyncio, in ``aio``; one contract, see ``client``).

    from inzira.http import AsyncHttpClient, HttpProblem

    client = AsyncHttpClient("https://fx.example", timeout_ms=5_000, retry_budget_ms=2_000)
    try:
        quote = await client.call("POST", "/v1/fx/fxQuotes", json=body, headers=auth)
    except HttpProblem as exc:          # a refusal (its status and 4-digit code), or no answer (503, 2003)
        ...
"""

from inzira.http.aio import AsyncHttpClient
from inzira.http.answer import Answer
from inzira.http.client import HttpClient
from inzira.http.problem import HttpProblem
from inzira.http.stream import BlockingStream, Stream

__all__ = ["Answer", "AsyncHttpClient", "BlockingStream", "HttpClient", "HttpProblem", "Stream"]
