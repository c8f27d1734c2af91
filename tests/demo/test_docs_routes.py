"""Every HTTP route the user-facing docs name is one the demo serves: a route renamed or dropped in the code
cannot stay in README.md, inzira/remit/API.md, docs/directory.md or docs/qr-payments.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inzira.demo.app import Demo
from tests.running_demo import HTTP_TIMEOUT_S, running_demo

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", "inzira/remit/API.md", "docs/directory.md", "docs/qr-payments.md")
# Served by the card acquirer simulator, not by Inzira: docs/qr-payments.md names them as the acquirer's.
ACQUIRER_PATHS = ("/v1/sessions", "/v1/refunds")
_ROUTE = re.compile(r"\b(GET|POST|PUT|DELETE|PATCH) (/(?:v1|fx|funding)/[\w/{}<>.-]*[\w}>])")


def _template(path: str) -> re.Pattern[str]:
    """An OpenAPI path as a pattern: each {parameter} one segment or part of one (``qr.{kind}``)."""
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part)
                              for part in re.split(r"(\{[^}]*\})", path)))


def _example(path: str) -> str:
    """A doc's path with its placeholders ({id}, <issuer>) filled in."""
    return re.sub(r"\{[^}]*\}|<[^>]*>", "x", path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "docs-routes") as running:
        yield running


def test_every_route_the_docs_name_is_served(demo: Demo) -> None:
    document = httpx.get(f"{demo.url.rstrip('/')}/openapi.json", timeout=HTTP_TIMEOUT_S).json()
    served = [(method.upper(), _template(path)) for path, operations in document["paths"].items()
              for method in operations]
    named, missing = 0, []
    for name in DOCS:
        text = (ROOT / name).read_text(encoding="utf-8")
        for match in _ROUTE.finditer(text):
            method, path = match.groups()
            if path.startswith(ACQUIRER_PATHS):
                continue
            named += 1
            if not any(method == verb and template.fullmatch(_example(path)) for verb, template in served):
                missing.append(f"{name}:{text[:match.start()].count(chr(10)) + 1}: {method} {path}")
    assert named > 40, f"only {named} routes found: the pattern lost its way"
    assert not missing, "routes the demo does not serve: " + "; ".join(missing)
