"""FSPIOP headers: checking what arrives, building what the gateway sends.

Every FSPIOP request carries a versioned ``Content-Type`` (``application/vnd.interoperability.<resource>+json;
version=1.1``), ``Date`` (RFC 7231) and ``FSPIOP-Source``; requests (not callbacks) also carry ``Accept`` with
the versions the caller takes. This gateway speaks 1.0 and 1.1 and answers a callback in the version the
request came in, so a 1.0 peer gets 1.0 back. Header names in error descriptions are lowercase, as HTTP/2
and Mojaloop's switch write them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from inzira.interop.mojaloop.errors import ErrorCode, FspiopError, malformed, missing

RESOURCES = frozenset({"participants", "parties", "quotes", "transfers", "transactionRequests", "authorizations",
                       "bulkQuotes", "bulkTransfers"})
SUPPORTED_VERSIONS: tuple[tuple[int, int], ...] = ((1, 0), (1, 1))
FSP_ID_CHARS_MAX = 32
HEADER_CHARS_MAX = 512  # a longer Content-Type, Accept or Date is not one a peer sends
ACCEPT_ITEMS_MAX = 8
_FSP_ID = re.compile(r"[!-~]+")  # visible ASCII: an FSP id is echoed as a header of the callback
# Any number is a well-formed version (Mojaloop's switch takes any digits too): one this FSP does not speak is
# 406, not malformed. Nine digits bound what is parsed; a longer number is malformed.
_MEDIA = re.compile(r"application/vnd\.interoperability\.(?P<resource>[A-Za-z]+)\+json"
                    r"(?:\s*;\s*version\s*=\s*(?P<major>\d{1,9})(?:\.(?P<minor>\d{1,9}))?)?")
# The words of Mojaloop's switch for each header (central-services-shared, src/constants.js), which its
# Testing Toolkit collections look for.
_UNSPOKEN = {"accept": "The Client requested an unsupported version, see extension list for supported version(s).",
             "content-type": "Client supplied a protocol version which is not supported by the server: "
                             "content-type header"}


@dataclass(frozen=True, slots=True)
class Inbound:
    """What the headers of an accepted request say."""

    source: str
    destination: str  # "" when the request named none
    version: tuple[int, int]  # the version to answer in
    date: datetime


def media_type(resource: str, version: tuple[int, int]) -> str:
    return f"application/vnd.interoperability.{resource}+json;version={version[0]}.{version[1]}"


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def check_request(headers: Mapping[str, str], resource: str, our_fsp_id: str, *, callback: bool = False,
                  with_body: bool = False) -> Inbound:
    """The request's headers, or the FspiopError to answer with at once (400, or 406 for a version we lack).

    For a request with a body (``with_body``), a missing or foreign Content-Type means the body cannot be
    read: that is 3102 naming the body, as Mojaloop's switch answers it.
    """
    try:
        content_type = _header(headers, "content-type")
        version = _content_version(content_type, resource)
    except FspiopError as error:
        if with_body and error.code in (ErrorCode.MISSING_ELEMENT, ErrorCode.MALFORMED_SYNTAX):
            raise missing(f"/body: it is read with a content-type header of {media_type(resource, (1, 1))}")
        raise
    if not callback:
        version = _accepted_version(_header(headers, "accept"), resource, version)
    date = _date(_header(headers, "date"))
    source = _fsp_id(headers, "fspiop-source", required=True)
    destination = _fsp_id(headers, "fspiop-destination", required=False)
    if destination and destination != our_fsp_id:
        raise FspiopError(ErrorCode.DESTINATION_FSP, f"fspiop-destination {destination!r} is not this FSP")
    return Inbound(source, destination, version, date)


def outbound(resource: str, version: tuple[int, int], source: str, destination: str, *, now: datetime,
             with_accept: bool, method: str, uri: str) -> dict[str, str]:
    """Headers of a request or callback the gateway sends (the signature, when used, is added by the sender).

    ``uri`` is the resource path (``/quotes/{ID}``): FSPIOP-URI and FSPIOP-HTTP-Method go on every message, signed
    or not, as Mojaloop's switch sends them and its collections expect of a callback.
    """
    headers = {"Content-Type": media_type(resource, version), "Date": http_date(now), "FSPIOP-Source": source,
               "FSPIOP-URI": uri, "FSPIOP-HTTP-Method": method.upper()}
    if destination:
        headers["FSPIOP-Destination"] = destination
    if with_accept:
        headers["Accept"] = f"application/vnd.interoperability.{resource}+json;version={version[0]}"
    return headers


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None or not value.strip():
        raise missing(f"{name} header")
    if len(value) > HEADER_CHARS_MAX:
        raise malformed(f"{name} header", f"is longer than {HEADER_CHARS_MAX} characters")
    return value.strip()


def _content_version(value: str, resource: str) -> tuple[int, int]:
    found = _MEDIA.fullmatch(value)
    if found is None or found["major"] is None:
        raise malformed("content-type header", f"must be {media_type(resource, (1, 1))}")
    if found["resource"] != resource:
        raise malformed("content-type header", f"names {found['resource']}, not {resource}")
    version = (int(found["major"]), int(found["minor"] or 0))
    if version not in SUPPORTED_VERSIONS:
        raise _unacceptable("content-type")
    return version


def _accepted_version(value: str, resource: str, asked: tuple[int, int]) -> tuple[int, int]:
    """The version to answer in: the request's own when the caller accepts it, else the newest it accepts."""
    items = [item.strip() for item in value.split(",")]
    if len(items) > ACCEPT_ITEMS_MAX:
        raise malformed("accept header", f"lists more than {ACCEPT_ITEMS_MAX} media types")
    accepted: list[tuple[int, int]] = []
    for item in items:
        found = _MEDIA.fullmatch(item)
        if found is None or found["resource"] != resource:
            raise malformed("accept header", f"must be application/vnd.interoperability.{resource}+json;version=1")
        if found["major"] is None:
            accepted.extend(SUPPORTED_VERSIONS)
        elif found["minor"] is None:
            accepted.extend(v for v in SUPPORTED_VERSIONS if v[0] == int(found["major"]))
        elif (int(found["major"]), int(found["minor"])) in SUPPORTED_VERSIONS:
            accepted.append((int(found["major"]), int(found["minor"])))
    if not accepted:
        raise _unacceptable("accept")
    return asked if asked in accepted else max(accepted)


def _unacceptable(header: str) -> FspiopError:
    # The versions this FSP speaks, one extension each (key = major, value = minor), as Mojaloop lists them.
    return FspiopError(ErrorCode.UNACCEPTABLE_VERSION, _UNSPOKEN[header],
                       tuple((str(major), str(minor)) for major, minor in SUPPORTED_VERSIONS))


def _date(value: str) -> datetime:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: a year past any C integer
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise malformed("date header", "must be an RFC 7231 date, e.g. Tue, 15 Nov 1994 08:12:31 GMT")
    return parsed


def _fsp_id(headers: Mapping[str, str], name: str, required: bool) -> str:
    value = headers.get(name, "").strip()
    if not value:
        if required:
            raise missing(f"{name} header")
        return ""
    if len(value) > FSP_ID_CHARS_MAX:
        raise malformed(f"{name} header", f"is longer than {FSP_ID_CHARS_MAX} characters")
    if not is_fsp_id(value):
        raise malformed(f"{name} header", "must be visible ASCII characters")
    return value


def is_fsp_id(value: str) -> bool:
    """1 to 32 visible ASCII characters: what an FSP id may be here."""
    return len(value) <= FSP_ID_CHARS_MAX and _FSP_ID.fullmatch(value) is not None
