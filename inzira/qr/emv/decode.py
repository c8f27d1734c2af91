"""Payload text -> ``Payload``: the CRC, the TLV structure, templates, duplicates, then the profile's rules."""

from __future__ import annotations

from inzira.qr.emv import rules, spec, tlv
from inzira.qr.emv.crc import crc_hex
from inzira.qr.emv.errors import EmvError
from inzira.qr.emv.model import DataObject, Payload, Profile

_CRC_OBJECT_CHARS = 8  # "6304" and four hex digits


def decode(text: str, profile: Profile = Profile.STRICT) -> Payload:
    """Decode an EMVCo merchant-presented payload; raises ``EmvError`` for anything it refuses."""
    if not text:
        raise EmvError("empty", None, "the payload is empty")
    limit = spec.PAYLOAD_CHARS_MAX if profile is Profile.STRICT else spec.PAYLOAD_CHARS_MAX_LENIENT
    if len(text) > limit:
        raise EmvError(
            "too_long", None, f"the payload has {len(text)} characters; the {profile.value} profile allows {limit}"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EmvError("bad_text", None, f"the payload is not valid Unicode text ({exc.reason})") from exc
    # Integrity first: a flipped character anywhere should be reported as a CRC mismatch, not as whatever
    # structural nonsense the flip happens to create.
    if len(text) >= _CRC_OBJECT_CHARS and text[-_CRC_OBJECT_CHARS:-4] == spec.CRC_HEADER:
        _check_crc(text)
    pairs = tlv.split(text)
    _check_order(pairs)
    objects = tuple(_root_object(tag, value) for tag, value in pairs)
    _check_unique(objects, None)
    payload = Payload(objects, profile)
    rules.check(payload)
    return payload


def _check_crc(text: str) -> None:
    written = text[-4:]
    if not spec.HEX4_RE.fullmatch(written):
        raise EmvError("bad_format", spec.CRC_TAG, f"63 (crc): {written!r} is not four hexadecimal digits")
    expected = crc_hex(text[:-4])
    if written.upper() != expected:
        raise EmvError(
            "crc_mismatch", spec.CRC_TAG, f"63 (crc): the payload says {written}, its content gives {expected}"
        )


def _check_order(pairs: tuple[tuple[str, str], ...]) -> None:
    tags = [tag for tag, _ in pairs]
    if tags[0] != "00":
        raise EmvError("order", tags[0], f"00 (payload_format_indicator) must be the first object, not {tags[0]}")
    if spec.CRC_TAG not in tags:
        raise EmvError("crc_missing", spec.CRC_TAG, "63 (crc) is missing: the payload must end with it")
    if tags[-1] != spec.CRC_TAG:
        raise EmvError("order", spec.CRC_TAG, f"63 (crc) must be the last object, but {tags[-1]} follows it")
    crc_value = pairs[-1][1]
    if not spec.HEX4_RE.fullmatch(crc_value):
        raise EmvError("bad_format", spec.CRC_TAG, f"63 (crc): {crc_value!r} is not four hexadecimal digits")


def _root_object(tag: str, value: str) -> DataObject:
    if not spec.is_root_template(tag):
        return DataObject(tag, value)
    children = tuple(_sub_object(tag, sub, sub_value) for sub, sub_value in tlv.split(value, tag))
    _check_unique(children, tag)
    return DataObject(tag, value, children)


def _sub_object(parent: str, tag: str, value: str) -> DataObject:
    if parent != "62" or not spec.is_additional_template(tag):
        return DataObject(tag, value)
    path = f"62.{tag}"
    children = tuple(DataObject(sub, sub_value) for sub, sub_value in tlv.split(value, path))
    _check_unique(children, path)
    return DataObject(tag, value, children)


def _check_unique(objects: tuple[DataObject, ...], parent: str | None) -> None:
    seen: set[str] = set()
    for obj in objects:
        if obj.tag in seen:
            path = f"{parent}.{obj.tag}" if parent else obj.tag
            where = f"template {parent}" if parent else "the payload"
            raise EmvError("duplicate_id", path, f"{path}: ID {obj.tag} appears twice in {where}")
        seen.add(obj.tag)
