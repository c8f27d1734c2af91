"""Soaks: long seeded runs of hostile traffic against the real state machine (``inzira soak ...``)."""
