"""Posted forms, read safely: bounded before parsing, and only from this site's own pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import FormData

from inzira.api.numbers import parse_digits
from inzira.api.responses import NO_STORE as NO_STORE  # pages that show customers' money are never cached

FORM_BYTES_MAX = 16 * 1024  # the pages' forms hold a few short fields
FORM_FIELDS_MAX = 16


class FormRefused(ValueError):
    """A form post too large, of unknown length, or from another origin."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def over_tls(request: Request) -> bool:
    """Whether this request came over TLS: session cookies are then marked Secure.

    The scheme is the server's own (uvicorn with a certificate), or a trusted reverse proxy's
    ``X-Forwarded-Proto`` when the server was told to trust that proxy (``--trusted-proxy``); from anyone else
    the header is ignored.
    """
    return request.url.scheme == "https"


def own_origin(request: Request) -> str:
    parts = urlsplit(str(request.base_url))
    return f"{parts.scheme}://{parts.netloc}"


async def read_form(request: Request, bytes_max: int = FORM_BYTES_MAX, files_max: int = 0) -> FormData:
    """The posted form, or FormRefused: a cross-site post, a missing length, or more than ``bytes_max``."""
    origin = request.headers.get("origin")
    if origin is not None and origin != own_origin(request):
        raise FormRefused(403, "this form was posted from another site")
    declared = parse_digits(request.headers.get("content-length", ""))
    if declared is None:
        raise FormRefused(411, "the form must declare its length")
    if declared > bytes_max:
        raise FormRefused(413, f"the form is larger than {bytes_max // 1024} KiB")
    return await request.form(max_files=files_max, max_fields=FORM_FIELDS_MAX, max_part_size=FORM_BYTES_MAX)


def field_text(form: FormData, name: str, chars_max: int) -> str:
    """A text field, trimmed; '' when missing; cut to ``chars_max``."""
    value = form.get(name)
    return value.strip()[:chars_max] if isinstance(value, str) else ""
