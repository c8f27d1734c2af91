"""HEAD on the whole demo's public GET pages (QR, remittance, explorer, API health and genesis): the GET's
status and headers without a body, never 405. A page that needs a session answers HEAD as GET: the redirect."""

from __future__ import annotations

from tests.web.test_head import assert_head_is_get

PUBLIC_PAGES = ["/", "/verify", "/qr", "/qr/pos/sign-in", "/qr/wallet/sign-in", "/qr/wallet", "/qr/pos",
                "/remit", "/remit/sign-in", "/remit/send", "/health", "/v1/genesis", "/openapi.json", "/docs", "/redoc",
                "/static/explorer.css"]


def test_head_answers_like_get_on_every_public_page(anonymous):
    for path in PUBLIC_PAGES:
        assert_head_is_get(anonymous, path)
