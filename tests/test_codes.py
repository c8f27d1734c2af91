"""One number, one meaning, across every service of the scheme: a client switches on the code alone, and the
same client meets several services (the remittance API passes the directory's refusals on; the QR and
remittance services share the ledger's and the API's codes). A number may be reused only for the meaning it
already has: Mojaloop's own (the FSPIOP error codes), or one of Inzira's listed below."""

from __future__ import annotations

from collections import defaultdict
from enum import IntEnum

from inzira.api.codes import ApiCode
from inzira.directory.codes import DirectoryCode
from inzira.interop.mojaloop.errors import ErrorCode
from inzira.ledger.codes import Code
from inzira.qr.codes import QrCode
from inzira.remit.codes import RemitCode

SERVICES: tuple[type[IntEnum], ...] = (ApiCode, Code, DirectoryCode, QrCode, RemitCode)
# Inzira's own numbers that two services use for one meaning.
SHARED = {
    5140: "the receiving FSP's own system could not be reached",
}


def test_a_code_means_one_thing_across_the_services() -> None:
    names: dict[int, set[str]] = defaultdict(set)
    for codes in SERVICES:
        for member in codes:
            names[int(member)].add(f"{codes.__name__}.{member.name}")
    mojaloop = {int(code) for code in ErrorCode}
    clashes = {number: sorted(found) for number, found in names.items()
               if len({name.split(".")[1] for name in found}) > 1 and number not in mojaloop and number not in SHARED}
    assert clashes == {}

