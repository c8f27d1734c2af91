"""The one error type of the EMVCo codec: a stable machine code, the tag path it concerns, and a sentence."""

from __future__ import annotations

from typing import Literal

# Stable codes: callers (API problem+json, CLI exit codes, wallets) switch on these, so never rename one.
ErrorCode = Literal[
    "empty",  # nothing to decode
    "bad_text",  # not encodable as UTF-8 (lone surrogates)
    "too_long",  # the payload, or a value, is over its maximum length
    "tlv_truncated",  # the payload ends inside an ID, a length or a value
    "tlv_bad_id",  # an ID that is not two digits
    "tlv_bad_length",  # a length that is not two digits, or is "00"
    "nested_tlv",  # a template whose content is not data objects that exactly fill it
    "duplicate_id",  # the same ID twice at the root or in one template
    "order",  # 00 not first, or 63 not last
    "crc_missing",  # no CRC object at the end
    "crc_mismatch",  # the CRC does not match the payload
    "missing_mandatory",  # a mandatory object (or template sub-object) is absent
    "bad_format",  # a value outside its format (N digits, ans printable ASCII) or of the wrong fixed length
    "bad_value",  # a value outside its allowed set (00 = "01", 01 = "11"/"12", 62.09 letters...)
    "bad_amount",  # 54/56/57 not a well-formed, non-zero amount or percentage
    "tip_rule",  # 55/56/57 inconsistent with each other
    "guid_missing",  # a template that needs a globally unique identifier (sub-ID 00) has none
    "not_inzira",  # a valid payload without Inzira's merchant account template
    "duplicate_account",  # two merchant account templates with Inzira's GUID: which merchant is paid is unclear
]


class EmvError(ValueError):
    """A payload (or a description to encode) that breaks a rule; ``tag`` is a path such as "62.05"."""

    def __init__(self, code: ErrorCode, tag: str | None, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.tag: str | None = tag
        self.message: str = message

    def __repr__(self) -> str:
        return f"EmvError({self.code!r}, {self.tag!r}, {self.message!r})"

    def as_json(self) -> dict[str, dict[str, str | None]]:
        return {"error": {"code": self.code, "tag": self.tag, "message": self.message}}
