"""Result codes: every expected rejection is data with a stable code, never an exception.

Four-digit codes follow Mojaloop FSPIOP where one fits (first digit 3 client, 4 payer side, 5 payee side;
xx40 and above are scheme-specific, here Inzira's own).
"""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    OK = 0
    VALIDATION = 3100  # a field breaks a rule (amount, id format, limits of the payload)
    MALFORMED = 3101  # bytes that do not decode to a transaction
    TOO_LARGE = 3104
    BAD_SIGNATURE = 3105  # missing, malformed or wrong signature
    MODIFIED_REQUEST = 3106  # client reference reused with a different body
    DUPLICATE = 3140  # the very same transaction was already committed
    CURRENCY_MISMATCH = 3141
    ALREADY_EXISTS = 3142
    ALREADY_RESOLVED = 3143  # pending transfer already posted, voided or expired
    BAD_FULFILMENT = 3144  # SHA-256(fulfilment) differs from the condition
    QUOTE_MISMATCH = 3145  # the FX legs do not match the firm quote
    QUOTE_USED = 3146
    WRONG_NETWORK = 3147  # signed for another chain
    AMOUNT_LIMIT = 3148  # a balance field would pass 2^63 - 1
    NOT_FOUND = 3200
    PARTY_NOT_FOUND = 3204
    TRANSFER_NOT_FOUND = 3208
    ACCOUNT_NOT_FOUND = 3240
    MEMBER_NOT_FOUND = 3241
    EXPIRED = 3300  # the transaction's own deadline passed
    QUOTE_EXPIRED = 3302
    TRANSFER_EXPIRED = 3303
    INSUFFICIENT_LIQUIDITY = 4001
    PERMISSION = 4300  # the signer may not do this (not the owner, not the issuer, not a member)
    QUORUM = 4340  # a membership or policy change without enough member signatures
    PAYER_BLOCKED = 4400  # the debited account is frozen
    PAYEE_BLOCKED = 5400  # the credited account is frozen


DESCRIPTIONS: dict[Code, str] = {
    Code.OK: "committed",
    Code.VALIDATION: "validation error",
    Code.MALFORMED: "malformed transaction",
    Code.TOO_LARGE: "payload too large",
    Code.BAD_SIGNATURE: "invalid signature",
    Code.MODIFIED_REQUEST: "modified request: reference reused with a different body",
    Code.DUPLICATE: "duplicate: this transaction was already committed",
    Code.CURRENCY_MISMATCH: "currency does not match the account",
    Code.ALREADY_EXISTS: "already exists",
    Code.ALREADY_RESOLVED: "pending transfer already resolved",
    Code.BAD_FULFILMENT: "fulfilment does not match the condition",
    Code.QUOTE_MISMATCH: "transfer legs do not match the firm quote",
    Code.QUOTE_USED: "quote already used",
    Code.WRONG_NETWORK: "transaction signed for another network",
    Code.AMOUNT_LIMIT: "a balance would pass the ledger's limit of 2^63 - 1 minor units",
    Code.NOT_FOUND: "not found",
    Code.PARTY_NOT_FOUND: "party not found",
    Code.TRANSFER_NOT_FOUND: "pending transfer not found (never made, or resolved and since pruned)",
    Code.ACCOUNT_NOT_FOUND: "account not found",
    Code.MEMBER_NOT_FOUND: "member not found",
    Code.EXPIRED: "transaction expired",
    Code.QUOTE_EXPIRED: "quote expired",
    Code.TRANSFER_EXPIRED: "transfer expired",
    Code.INSUFFICIENT_LIQUIDITY: "payer FSP insufficient liquidity",
    Code.PERMISSION: "not permitted",
    Code.QUORUM: "quorum of member signatures not met",
    Code.PAYER_BLOCKED: "debited account is frozen",
    Code.PAYEE_BLOCKED: "credited account is frozen",
}


def describe(code: int) -> str:
    try:
        return DESCRIPTIONS[Code(code)]
    except ValueError:
        return f"unknown code {code}"
