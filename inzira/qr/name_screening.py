"""Names screened before the QR service opens an account: a merchant at onboarding, a wallet's holder at
its creation.

The QR service does not judge names itself (it is independent of the remittance service, where the
screener lives): the composition that runs it passes a `NameScreen`, a function from a name to why it is
held (the list entry and the match explained) or None when it is clear. A name that matches is refused with
3160 and the reason, before anything reaches the ledger; the acquirer or issuer refers it to its compliance
officer. Without a screen (a deployment that screens its customers upstream) names are not checked here.
"""

from __future__ import annotations

from collections.abc import Callable

from inzira.qr.codes import QrCode
from inzira.qr.rejected import Rejected, rejected

NameScreen = Callable[[str], str | None]


def screened(screen: NameScreen | None, whose: str, name: str) -> Rejected | None:
    if screen is None:
        return None
    why = screen(name)
    if why is None:
        return None
    return rejected(QrCode.NAME_ON_SANCTIONS_LIST, f"the {whose} may be on the sanctions list: {why}")
