"""The fictional members of the demo network and the genesis that names them.

Every name here is made up; none is a real institution.
"""

from __future__ import annotations

from dataclasses import dataclass

from inzira.crypto import KeyPair
from inzira.ledger.genesis import Genesis, GenesisCurrency, GenesisMember, GenesisOrderer, GenesisPolicy, validate


@dataclass(frozen=True, slots=True)
class DemoMember:
    id: str
    name: str
    roles: tuple[str, ...]
    country: str


DEMO_MEMBERS: tuple[DemoMember, ...] = (
    DemoMember("cbr", "Central Bank of Rwanda (demo)", ("central_bank", "issuer", "regulator", "directory_operator"),
               "RW"),
    DemoMember("sbk", "Kigali Settlement Bank (demo)", ("settlement_bank", "issuer"), "RW"),
    DemoMember("eurosend", "EuroSend Remit (Brussels, demo)", ("sending_fsp",), "BE"),
    DemoMember("silkpay", "SilkRoad Pay (Shanghai, demo)", ("sending_fsp", "wallet_issuer"), "CN"),
    DemoMember("imari-fx", "Imari FX (demo)", ("fx_provider",), "RW"),
    DemoMember("mobimo", "MobiMo Mobile Money (demo)", ("receiving_fsp", "wallet_issuer"), "RW"),
    DemoMember("ubumwe", "Ubumwe Bank (demo)", ("receiving_fsp", "acquirer"), "RW"),
)
# The gateway to eKash, Rwanda's Mojaloop switch (FSP "inzira" there, see inzira.interop.mojaloop): a member
# of the networks made for it (``inzira demo --mojaloop-hub``), so every other demo network stays as it was.
# It sends (eKash payers pay Inzira wallets, whose numbers it looks up) and receives (remittances it pays out
# through eKash).
GATEWAY_MEMBER = DemoMember("ekash", "eKash gateway (demo)", ("sending_fsp", "receiving_fsp"), "RW")

# currency -> issuing member
DEMO_CURRENCIES: dict[str, str] = {"RWF": "cbr", "EUR": "sbk", "USD": "sbk", "CNY": "sbk", "GBP": "sbk", "AED": "sbk"}
ORDERER_ID = "orderer-1"
NETWORK_NAME = "inzira-demo"


def demo_members(with_gateway: bool = False) -> tuple[DemoMember, ...]:
    return (*DEMO_MEMBERS, GATEWAY_MEMBER) if with_gateway else DEMO_MEMBERS


def demo_genesis(keys: dict[str, KeyPair], orderer_key: KeyPair, created_at_ms: int,
                 network: str = NETWORK_NAME, with_gateway: bool = False) -> Genesis:
    members = tuple(
        GenesisMember(m.id, m.name, m.roles, (keys[m.id].public_key.hex(),)) for m in demo_members(with_gateway)
    )
    currencies = tuple(GenesisCurrency(code, issuer) for code, issuer in DEMO_CURRENCIES.items())
    orderers = (GenesisOrderer(ORDERER_ID, orderer_key.public_key.hex()),)
    return validate(Genesis(network, created_at_ms, members, currencies, orderers, GenesisPolicy()))
