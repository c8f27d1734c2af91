"""Remittance pages: sign-in, the sending agent, the receiving FSP, the compliance officer, the regulator."""

from inzira.web.remit.router import remit_pages_router

__all__ = ["remit_pages_router"]
