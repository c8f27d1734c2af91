"""The one way out: every HTTP call the product makes goes through ``inzira.http.client``.

    from inzira.http import AsyncHttpClient, HttpProblem

    client = AsyncHttpClient("https://fx.example", timeout_ms=5_000, retry_budget_ms=2_000)
    try:
        quote = await client.call("POST", "/v1/fx/fxQuotes", json=body, headers=auth)
    except HttpProblem as exc:          # a refusal (its status and 4-digit code), or no answer (503, 2003)
        ...
"""

from inzira.http.client import Answer, AsyncHttpClient, HttpClient
from inzira.http.problem import HttpProblem

__all__ = ["Answer", "AsyncHttpClient", "HttpClient", "HttpProblem"]
