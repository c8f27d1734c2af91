"""The hot-route table's proof, shared by the API's and the remittance server's tests: the same requests
answered with the table, then by the router alone, as before the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from inzira.api.hot_routes import HotRoutes

T = TypeVar("T")


def both_ways(app: Any, table: HotRoutes, answers: Callable[[], T]) -> tuple[T, T]:
    """(answers with the table, answers by the router alone); the table is back in place after."""
    with_table = answers()
    app.router.middleware_stack = table.inner
    try:
        return with_table, answers()
    finally:
        app.router.middleware_stack = table
