"""Drive every cell of the authorization matrix against a running server, and read the documented matrix.

A cell is what one kind of caller gets from one operation, from the status of one well-formed request
(``tests/demo/authz_requests.py``): ``yes`` when the operation let the caller through to its business rules
(any answer but 401 and 403, and but 404 for another party's resource), ``no`` on 401 or 403, ``hidden`` on
404 for a resource that exists (the demo's merchant, wallet, an account, a remittance, its quote and its
transactions) but that the caller may not see: answered as if it did not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.demo.authz_requests import CALLERS, REQUESTS, TOKEN_OPERATIONS, Context, renewed

MATRIX_DOC = Path(__file__).resolve().parents[2] / "docs" / "authorization-matrix.md"
ROW = re.compile(r"^\| `(?P<op>[A-Z]+ [^`]+)` \|(?P<cells>.*)\|$")


def cell(url: str, status: int, real_ids: tuple[str, ...]) -> str:
    if status in (401, 403):
        return "no"
    if status == 404 and any(real in url for real in real_ids):  # it exists: not this caller's to see
        return "hidden"
    return "yes"


def observe(base_url: str, context: Context, timeout_s: float) -> dict[str, dict[str, str]]:
    """operation -> caller -> cell, one request each."""
    seen: dict[str, dict[str, str]] = {}
    with httpx.Client(base_url=base_url, timeout=timeout_s, trust_env=False) as http:
        for operation, build in REQUESTS.items():
            method = operation.split()[0]
            row: dict[str, str] = {}
            changes_tokens = operation in TOKEN_OPERATIONS
            ctx = renewed(base_url, context) if changes_tokens else context
            for caller in CALLERS:
                url, options = build(ctx)
                headers = dict(options.pop("headers", {}))
                token = ctx.tokens[caller]
                if token:
                    headers["Authorization"] = f"Bearer {token}"
                with http.stream(method, url, headers=headers, **options) as response:  # streams: status only
                    row[caller] = cell(url, response.status_code, ctx.real_ids())
                if changes_tokens and response.status_code < 300:
                    ctx = renewed(base_url, context)
            seen[operation] = row
    return seen


def documented(path: Path = MATRIX_DOC) -> dict[str, dict[str, str]]:
    """The matrix table of docs/authorization-matrix.md: operation -> caller -> cell."""
    table: dict[str, dict[str, str]] = {}
    for line in path.read_text().splitlines():
        found = ROW.match(line)
        if found:
            cells = [c.strip() for c in found["cells"].split("|")]
            table[found["op"]] = dict(zip(CALLERS, cells, strict=True))
    return table


def as_table(matrix: dict[str, dict[str, str]]) -> str:
    head = "| operation | " + " | ".join(CALLERS) + " |\n|---|" + "---|" * len(CALLERS) + "\n"
    return head + "".join(f"| `{op}` | " + " | ".join(row[c] for c in CALLERS) + " |\n"
                          for op, row in matrix.items())
