"""Gateways between Inzira and other payment networks."""
