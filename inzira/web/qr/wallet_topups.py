"""A top-up by card, as the visitor lives it: the card form (posting straight to the wallet issuer's card
acquirer: card details never pass through these pages), then the outcome once the visitor is back. Until the
top-up is decided, each view asks the acquirer through the API (``check``), so the page never waits on a
late callback; a pending one reloads itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.http import HttpProblem
from inzira.web.qr.sessions import QrKind
from inzira.web.qr.site import QrSite, is_id, notice_of
from inzira.web.qr.wallet import TOPUP_PAGE, wallet_path
from inzira.web.rendering import SECURITY_HEADERS

# Not decided yet: ask the acquirer (through the API) on every view.
UNDECIDED = ("awaiting_card", "pending", "crediting", "credit_failed")
RELOAD_S = 2  # a pending top-up's page reloads itself this often
# The acquirer's decline reasons, for people.
REASONS = {
    "card_declined": "the card's bank declined it",
    "do_not_honor": "the card's bank declined it",
    "insufficient_funds": "the card has insufficient funds",
    "expired_card": "the card has expired",
    "incorrect_number": "the card number is not valid",
    "invalid_expiry": "the expiry date is not valid (MM/YY)",
    "invalid_cvc": "the security code is not valid",
    "not_a_test_card": "the card acquirer is in test mode: use one of its test cards",
    "issuer_timeout": "the card's bank did not answer in time",
    "session_expired": "the card form was not used in time",
}
# The acquirer simulator's test cards, shown in the demo only.
TEST_CARDS = (("4242 4242 4242 4242", "approved"), ("4000 0000 0000 0002", "declined"),
              ("4000 0000 0000 9995", "declined: insufficient funds"), ("4000 0000 0000 0408", "times out"))


def form_action_policy(card_form_url: str | None) -> str:
    """The pages' policy, letting this page's form post to the acquirer's origin (and nowhere else new)."""
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    if card_form_url is None:
        return policy
    parts = urlsplit(card_form_url)
    return policy.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


def wallet_topups_router(site: QrSite) -> APIRouter:
    router = APIRouter()

    @router.get(f"{TOPUP_PAGE}/{{topup_id}}", include_in_schema=False)
    async def topup_page(request: Request, topup_id: str) -> Response:
        grant = site.gate(request, QrKind.WALLET)
        if isinstance(grant, Response):
            return grant
        if not is_id(topup_id):
            return site.render(request, "qr/not_found.html", grant, 404, what=f"top-up {topup_id}")
        path = f"{wallet_path(grant)}/topups/{topup_id}"
        try:
            topup: dict[str, Any] = await site.api.get(grant.token, path)
        except HttpProblem as exc:
            return site.problem(request, grant, exc)
        notice = None
        if topup["status"] in UNDECIDED:
            try:
                topup = await site.api.post(grant.token, f"{path}/check", {})
            except HttpProblem as exc:  # the acquirer did not answer: show what is known
                notice = notice_of(QrKind.WALLET, exc)[1]
        reason = topup["reason"]
        response = site.render(request, "qr/wallet_topup.html", grant, topup=topup, notice=notice,
                               reason=REASONS.get(reason, reason) if reason else None,
                               test_cards=TEST_CARDS if site.demo is not None else (),
                               reload_s=RELOAD_S if topup["status"] in ("pending", "crediting") else None)
        response.headers["Content-Security-Policy"] = form_action_policy(topup["card_form_url"])
        return response

    return router
