"""EMVCo QR Code Specification for Payment Systems, Merchant-Presented Mode: decode, check, encode.

    payload = decode(text, Profile.LENIENT)      # a scanned QR from anywhere
    payload_json(payload)                        # the JSON view the CLI and API print
    encode_merchant_qr(MerchantQr(...))          # Inzira's own static or dynamic QR
"""

from inzira.qr.emv.crc import crc16_ccitt_false, crc_hex
from inzira.qr.emv.decode import decode
from inzira.qr.emv.encode import (
    INZIRA_ACCOUNT_TAG,
    INZIRA_GUID,
    AlternateLanguage,
    MerchantQr,
    encode,
    encode_merchant_qr,
    merchant_objects,
    merchant_qr_from_payload,
)
from inzira.qr.emv.errors import EmvError, ErrorCode
from inzira.qr.emv.model import DataObject, Payload, Profile
from inzira.qr.emv.view import payload_json

__all__ = [
    "INZIRA_ACCOUNT_TAG",
    "INZIRA_GUID",
    "AlternateLanguage",
    "DataObject",
    "EmvError",
    "ErrorCode",
    "MerchantQr",
    "Payload",
    "Profile",
    "crc16_ccitt_false",
    "crc_hex",
    "decode",
    "encode",
    "encode_merchant_qr",
    "merchant_objects",
    "merchant_qr_from_payload",
    "payload_json",
]
