"""Telling merchants, acquirers and visitors at once: stored events, server-sent event fan-out, webhooks."""
