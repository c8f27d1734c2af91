"""The decoded payload: immutable data objects in their original order, with typed accessors."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from inzira.qr.emv import spec, tlv


class Profile(enum.Enum):
    STRICT = "strict"  # every rule of the specification
    LENIENT = "lenient"  # real-world deviations accepted; never a bad CRC or broken TLV


@dataclass(frozen=True, slots=True)
class DataObject:
    """One ID/value pair. ``children`` holds the parsed sub-objects when the value is a template."""

    tag: str
    value: str
    children: tuple[DataObject, ...] = ()

    @classmethod
    def template(cls, tag: str, children: Iterable[DataObject], parent: str | None = None) -> DataObject:
        kids = tuple(children)
        path = f"{parent}.{tag}" if parent else tag
        return cls(tag, tlv.join(((c.tag, c.value) for c in kids), path), kids)

    def child(self, tag: str) -> DataObject | None:
        return next((c for c in self.children if c.tag == tag), None)

    def child_value(self, tag: str) -> str | None:
        found = self.child(tag)
        return None if found is None else found.value

    @property
    def guid(self) -> str | None:
        """Sub-ID 00 of a template (its globally unique identifier), if any."""
        return self.child_value("00") if self.children else None


@dataclass(frozen=True, slots=True)
class Payload:
    """A decoded EMVCo merchant-presented payload. ``objects`` keeps the payload's order, 00 to 63."""

    objects: tuple[DataObject, ...]
    profile: Profile

    @property
    def text(self) -> str:
        """The payload exactly as it was read (TLV is a bijection, so this rebuilds it)."""
        return tlv.join((o.tag, o.value) for o in self.objects)

    def get(self, tag: str) -> DataObject | None:
        return next((o for o in self.objects if o.tag == tag), None)

    def value(self, tag: str) -> str | None:
        found = self.get(tag)
        return None if found is None else found.value

    @property
    def payload_format_indicator(self) -> str | None:
        return self.value("00")

    @property
    def point_of_initiation(self) -> str | None:
        """"static" (11), "dynamic" (12), or None when absent or not one of those."""
        return spec.POINT_OF_INITIATION.get(self.value("01") or "")

    @property
    def merchant_accounts(self) -> tuple[DataObject, ...]:
        return tuple(o for o in self.objects if spec.is_merchant_account(o.tag))

    @property
    def mcc(self) -> str | None:
        return self.value("52")

    @property
    def currency(self) -> str | None:
        """ISO 4217 numeric code as written in the payload ("646" for RWF)."""
        return self.value("53")

    @property
    def amount(self) -> str | None:
        """The amount text as written ("23.72"), or None when the payer enters it."""
        return self.value("54")

    @property
    def tip_indicator(self) -> str | None:
        return self.value("55")

    @property
    def convenience_fee_fixed(self) -> str | None:
        return self.value("56")

    @property
    def convenience_fee_percentage(self) -> str | None:
        return self.value("57")

    @property
    def country(self) -> str | None:
        return self.value("58")

    @property
    def merchant_name(self) -> str | None:
        return self.value("59")

    @property
    def merchant_city(self) -> str | None:
        return self.value("60")

    @property
    def postal_code(self) -> str | None:
        return self.value("61")

    @property
    def additional_data(self) -> DataObject | None:
        return self.get("62")

    @property
    def language_template(self) -> DataObject | None:
        return self.get("64")

    @property
    def crc(self) -> str:
        """The CRC as written (callers compare it case-insensitively)."""
        return self.objects[-1].value

    @property
    def reserved(self) -> tuple[DataObject, ...]:
        return tuple(o for o in self.objects if spec.is_reserved_root(o.tag))

    @property
    def unreserved_templates(self) -> tuple[DataObject, ...]:
        return tuple(o for o in self.objects if spec.is_unreserved_template(o.tag))
