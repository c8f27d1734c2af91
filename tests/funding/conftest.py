"""One real demo server (ledger, issuers' funding desk, API) per test module, and what an attacker holds against
it: holders' client tokens, officers' tokens, and holders' own keys to sign redemptions with."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import key_path
from inzira.fx.wire import b64
from inzira.ledger.tx import TX_VERSION, Redeem, TxBody, sign_body
from inzira.node.keystore import load_key
from inzira.node.signer import wall_clock_ms
from tests.running_demo import running_demo

REDEEM_VALIDITY_MS = 23 * 3600 * 1000  # what the remittance service gives a holder's redemption
# Tests leave requests approving on purpose, for an officer's approval or a recovery to settle: the desk's settler
# does not take them first (tests/funding/test_background_settlement.py runs it often).
SETTLER_IDLE_MS = 24 * 3600 * 1000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "funding-attacks", SETTLER_IDLE_MS) as running:
        yield running


def code_of(answer: httpx.Response) -> tuple[int, int]:
    """A refusal's status and its problem's 4-digit code."""
    return answer.status_code, int(answer.json()["code"])


def holder_token(demo: Demo, member: str) -> str:
    return demo.providers.funding_tokens[member]  # type: ignore[union-attr]


def officer_token(demo: Demo, issuer: str, n: int = 1) -> str:
    return demo.providers.officer_token(issuer, n)  # type: ignore[union-attr]


def balance(demo: Demo, account: str) -> int:
    found = demo.runtime.node.account(account)  # type: ignore[union-attr]
    assert found is not None
    return found.balance_minor


def reference() -> str:
    return f"wire-{uuid.uuid4().hex[:16]}"


def redemption(demo: Demo, member: str, account: str, amount_minor: int, currency: str, ref: str, *,
               signer: str | None = None, chain_id: bytes | None = None, expires_at_ms: int | None = None,
               submitter: str | None = None, version: int = TX_VERSION, tx_ref: str | None = None) -> str:
    """A Redeem signed with ``signer``'s own key (the holder's unless told), base64url as the API takes it."""
    key = load_key(key_path(demo.data_dir, signer or member))
    body = TxBody(version, chain_id or demo.runtime.chain_id, submitter or member,  # type: ignore[union-attr]
                  uuid.uuid4().hex if tx_ref is None else tx_ref, expires_at_ms or wall_clock_ms() + REDEEM_VALIDITY_MS,
                  Redeem(account, amount_minor, currency, ref))
    return b64(sign_body(body, key))
