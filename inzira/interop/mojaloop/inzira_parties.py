"""Who a payee is on Inzira: wallets by phone number (MSISDN, through the remittance directory and the wallet's
FSP) and merchants by merchant id (BUSINESS, through the QR service's merchant book).

Names go out masked ("J*** U*****"): the wallet's FSP confirms only the masked name, and a merchant's name is
masked the same way unless the gateway's policy shows full names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from inzira.interop.mojaloop.errors import ErrorCode, FspiopError
from inzira.interop.mojaloop.ports import Party
from inzira.qr.directory import Directory as MerchantBook
from inzira.remit.codes import RemitError
from inzira.remit.parties import Party as Wallet
from inzira.remit.phone import mask_name
from inzira.remit.settings import PAYOUT_CURRENCY, position_account

MSISDN_DIGITS_MAX = 15

WalletLookup = Callable[[str], Awaitable[Wallet]]  # "+2507..." -> the wallet, or RemitError


class InziraParties:
    """Raises FspiopError 2003 when the directory or the wallet's FSP cannot answer now (the payer may retry)."""

    def __init__(self, wallets: WalletLookup | None, merchants: MerchantBook | None) -> None:
        self.wallets = wallets
        self.merchants = merchants

    async def find(self, id_type: str, id_value: str) -> Party | None:
        if id_type == "MSISDN":
            return await self._wallet(id_value)
        if id_type == "BUSINESS":
            return self._merchant(id_value)
        return None

    async def _wallet(self, msisdn: str) -> Party | None:
        # FSPIOP writes a number as its E.164 digits, without the "+": ASCII only, for the phone parser reads other
        # Unicode digits as the same number, and the wallet would answer under ids not its own.
        if self.wallets is None or not (msisdn.isascii() and msisdn.isdigit()) or len(msisdn) > MSISDN_DIGITS_MAX:
            return None
        try:
            wallet = await self.wallets("+" + msisdn)
        except RemitError as exc:
            if exc.status in (400, 404, 422):  # not a number Inzira serves, or a wallet that cannot receive
                return None
            raise FspiopError(ErrorCode.SERVICE_UNAVAILABLE, f"the wallet cannot be confirmed now: {exc.detail}"[:96])
        return Party("MSISDN", msisdn, wallet.fsp, position_account(wallet.fsp, PAYOUT_CURRENCY),
                     wallet.masked_name, currency=wallet.currency)

    def _merchant(self, merchant_id: str) -> Party | None:
        merchant = None if self.merchants is None else self.merchants.merchant(merchant_id)
        if merchant is None:
            return None
        return Party("BUSINESS", merchant_id, merchant.acquirer, merchant.account, mask_name(merchant.name),
                     first_name=merchant.name)
