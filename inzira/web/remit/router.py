"""The remittance pages as one router, mounted beside the explorer (they share its frame and styles)::

    app.include_router(remit_pages_router(remit_service, runtime.api_tokens))
    mount_static(app)

``demo_sign_in`` (off unless the demo composition turns it on) offers one-click sign-in for the roles that hold
no power, and a session so opened uses none (a regulator's views the directory's disputes but decides none);
people otherwise sign in, and compliance officers always sign in, by pasting their API token or compliance
officer token. The session cookie is Secure whenever a page is served over TLS
(``inzira.web.forms.over_tls``).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

from inzira.api.tokens import TokenBook
from inzira.node.signer import wall_clock_ms
from inzira.remit.service import RemitService
from inzira.web.head import answer_head
from inzira.web.remit.compliance import compliance_router
from inzira.web.remit.directory_logs import directory_logs_router
from inzira.web.remit.directory_oversight import directory_oversight_router
from inzira.web.remit.events import events_router
from inzira.web.remit.flagged import flagged_router
from inzira.web.remit.incoming import incoming_router
from inzira.web.remit.regulator import regulator_router
from inzira.web.remit.send import send_router
from inzira.web.remit.sessions import SessionBook
from inzira.web.remit.signin import signin_router
from inzira.web.remit.site import RemitSite
from inzira.web.remit.transfer import transfer_router


def remit_pages_router(service: RemitService, api_tokens: Mapping[str, str], *, demo_sign_in: bool = False,
                       public_accounts: bool = True) -> APIRouter:
    """``api_tokens``: API token -> member (the runtime's). ``public_accounts`` as the explorer's."""
    officers = TokenBook({token: member for member, token in service.officer_tokens.items()})
    site = RemitSite(service, SessionBook(wall_clock_ms), TokenBook(api_tokens), officers, demo_sign_in,
                     public_accounts)
    router = APIRouter()
    for part in (signin_router, send_router, transfer_router, incoming_router, flagged_router,
                 compliance_router, regulator_router, directory_oversight_router, directory_logs_router):
        router.include_router(answer_head(part(site)))
    router.include_router(events_router(site))  # event streams: no HEAD
    return router
