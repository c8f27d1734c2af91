"""The quotes shown on the send page, each with what the agent typed and the transfer id its Send will use.

The quote step answers with a redirect to the quote's own page (post-redirect-get): Back and reload then show
the same quote and the same transfer id, so a second Send answers the first transfer instead of making
another. The service stores the quote's terms; the names typed with it stay here, in memory like the sessions
(a restart forgets both), for the member that asked for the quote only.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from inzira.web.remit.send_form import SendForm

DRAFTS_MAX = 5_000  # the oldest is dropped to make room: a quote is firm for minutes only


@dataclass(frozen=True, slots=True)
class Draft:
    member: str
    form: SendForm
    transfer_id: str


class QuoteDrafts:
    def __init__(self, drafts_max: int = DRAFTS_MAX) -> None:
        self.drafts_max = drafts_max
        self._drafts: dict[str, Draft] = {}  # insertion order = age: the first is the oldest
        self._lock = threading.Lock()

    def put(self, quote_id: str, member: str, form: SendForm) -> Draft:
        draft = Draft(member, form, str(uuid.uuid4()))
        with self._lock:
            while len(self._drafts) >= self.drafts_max:
                del self._drafts[next(iter(self._drafts))]
            self._drafts[quote_id] = draft
        return draft

    def get(self, member: str, quote_id: str) -> Draft | None:
        """The quote's draft when ``member`` asked for it; None for anyone else's or a forgotten one."""
        with self._lock:
            draft = self._drafts.get(quote_id)
        return draft if draft is not None and draft.member == member else None
