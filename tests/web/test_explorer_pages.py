"""The explorer's pages over real HTTP: content, links, escaping, pagination, 404s, hidden accounts."""

from __future__ import annotations

import re

import httpx

from tests.web.server import explorer_app, running_server

TIMEOUT_S = 10.0


def heights(html: str) -> list[int]:
    return [int(h) for h in re.findall(r'<tr data-height="(\d+)"', html)]


def test_home_shows_network_and_latest_blocks(demo, client):
    r = client.get("/")
    assert r.status_code == 200
    node = demo.net.node
    assert node.genesis.network in r.text
    assert node.chain_id.hex() in r.text
    tip = node.store.tip()
    shown = heights(r.text)
    assert shown[0] == tip.height and shown == sorted(shown, reverse=True)
    assert len(shown) == min(20, tip.height)
    assert tip.block_hash.hex()[:12] in r.text
    assert 'data-events="/explorer/events"' in r.text and f'data-after="{tip.height}"' in r.text
    assert "UTC" in r.text and "CAT" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "demo network: explorer shows all accounts" in r.text


def test_blocks_are_paged_with_before(demo, client):
    r = client.get("/blocks", params={"before": 5, "limit": 2})
    assert r.status_code == 200
    assert heights(r.text) == [4, 3]
    assert "/blocks?before=3&amp;limit=2" in r.text
    assert len(heights(client.get("/blocks", params={"limit": 10_000}).text)) <= 100
    huge = client.get("/blocks", params={"before": 10**30})
    assert huge.status_code == 200 and heights(huge.text)[0] == demo.net.node.store.tip().height


def test_block_page_shows_header_and_rejected_transaction(demo, client):
    height = demo.rejected_height
    r = client.get(f"/blocks/{height}")
    assert r.status_code == 200
    header = demo.net.node.header(height)
    assert header.prev_hash.hex() in r.text and f'href="/blocks/{height - 1}"' in r.text
    assert header.tx_root.hex() in r.text and header.state_hash.hex() in r.text
    assert header.orderer in r.text
    assert f'href="/tx/{demo.rejected_id}"' in r.text
    assert '<tr class="rejected">' in r.text
    assert "4001 payer FSP insufficient liquidity" in r.text and "eurosend" in r.text and "Transfer" in r.text


def test_first_block_points_at_the_chain_id(demo, client):
    r = client.get("/blocks/1")
    assert r.status_code == 200
    assert demo.net.chain_id.hex() in r.text and "first block" in r.text
    assert 'href="/blocks/2"' in r.text


def test_transfer_page_decodes_the_operation(demo, client):
    r = client.get(f"/tx/{demo.transfer_id}")
    assert r.status_code == 200
    text = r.text
    assert "25.00 EUR" in text
    assert 'href="/accounts/eurosend:eur"' in text and 'href="/accounts/mobimo:eur"' in text
    assert "remittance &lt;b&gt;42&lt;/b&gt;" in text and "<b>42</b>" not in text  # the memo is escaped
    assert "0 committed" in text and "eurosend" in text
    stored = demo.net.node.tx(bytes.fromhex(demo.transfer_id))
    assert f'href="/blocks/{stored.height}"' in text
    assert f'href="/tx/{demo.transfer_id}/receipt.json"' in text
    assert "inzira-receipt/1" in text and ">Verify</button>" in text


def test_pending_transfer_shows_deadline_hashlock_and_status(demo, client):
    r = client.get(f"/tx/{demo.pending_id}")
    assert r.status_code == 200
    assert "Pending transfer" in r.text and "7.00 EUR" in r.text
    assert "Hashlock (SHA-256)" in r.text and "RESERVED" in r.text


def test_rejected_transfer_names_code_and_leg(demo, client):
    r = client.get(f"/tx/{demo.rejected_id}")
    assert r.status_code == 200
    assert "4001 payer FSP insufficient liquidity" in r.text and "at leg 0" in r.text
    assert "990,000.00 EUR" in r.text


def test_issue_page(demo, client):
    r = client.get(f"/tx/{demo.issue_id}")
    assert r.status_code == 200
    assert "Issue" in r.text and "10,000.00 EUR" in r.text and "sbk" in r.text


def test_accounts_grouped_by_member_with_balances(demo, client):
    r = client.get("/accounts")
    assert r.status_code == 200
    text = r.text
    assert "EuroSend Remit (Brussels, demo)" in text and "MobiMo Mobile Money (demo)" in text
    assert 'id="member-eurosend"' in text
    assert "9,975.00 EUR" in text  # balance after the 25.00 EUR transfer
    assert "9,968.00 EUR" in text  # available: 7.00 EUR more are reserved by the pending transfer
    assert "5,000,000 RWF" in text
    assert "issuance" in text


def test_account_page(demo, client):
    r = client.get("/accounts/mobimo:eur")
    assert r.status_code == 200
    assert "MobiMo Mobile Money (demo)" in r.text and "25.00 EUR" in r.text and "7.00 EUR" in r.text


def test_unknown_things_get_a_friendly_404(demo, client):
    for path in ["/blocks/999999", "/blocks/abc", "/blocks/²", "/tx/" + "00" * 32, "/tx/not-hex",
                 "/accounts/nobody:eur", "/accounts/not an id", "/tx/" + "00" * 32 + "/receipt.json"]:
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Not found" in r.text and 'href="/"' in r.text, path


def test_search_goes_to_the_page(demo, client):
    for query, target in [("3", "/blocks/3"), (demo.transfer_id.upper(), f"/tx/{demo.transfer_id}"),
                          ("eurosend:eur", "/accounts/eurosend:eur")]:
        r = client.get("/search", params={"q": query})
        assert r.status_code == 303 and r.headers["location"] == target, query
    assert client.get("/search", params={"q": "<script>"}).status_code == 404


def test_static_assets_are_served_locally(demo, client):
    for name, kind in [("explorer.css", "text/css"), ("live.js", "javascript"), ("verify.js", "javascript")]:
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"], name
    for path in ["/", f"/tx/{demo.transfer_id}", "/verify"]:
        assert not re.findall(r'(?:src|href|action)="(?:https?:)?//', client.get(path).text), path


def test_hidden_accounts_are_not_shown(demo):
    with running_server(explorer_app(demo.net, public_accounts=False)) as url, \
            httpx.Client(base_url=url, timeout=TIMEOUT_S) as hidden:
        assert hidden.get("/accounts").status_code == 404
        assert hidden.get("/accounts/eurosend:eur").status_code == 404
        home = hidden.get("/").text
        assert 'href="/accounts"' not in home and "explorer shows all accounts" not in home
        assert hidden.get("/search", params={"q": "eurosend:eur"}).status_code == 404
        tx = hidden.get(f"/tx/{demo.transfer_id}").text
        assert 'href="/accounts/' not in tx and "eurosend:eur" in tx
