"""The demo with and without the gateway: without ``--mojaloop-hub`` it runs as before, and a network made
without the gateway cannot grow one by restarting with the flag."""

from __future__ import annotations

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.members import DEMO_MEMBERS
from inzira.interop.mojaloop.demo import GatewayMissing


def test_a_demo_without_the_flag_has_no_gateway_and_cannot_gain_one(tmp_path):
    data = tmp_path / "data"
    plain = Demo(data, port=0)
    plain.start()
    try:
        assert set(plain.runtime.node.state.members) == {m.id for m in DEMO_MEMBERS}
        assert plain.gateway is None
        assert httpx.get(plain.url + "fspiop/parties/MSISDN/250788123456", timeout=10).status_code == 404
    finally:
        plain.stop()
    with_flag = Demo(data, port=0, mojaloop_hub="http://127.0.0.1:9")
    with pytest.raises(GatewayMissing):
        with_flag.start()
