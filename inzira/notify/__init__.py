"""Telling members and customers what happened: signed webhooks (and the helpers pages use for SSE)."""
