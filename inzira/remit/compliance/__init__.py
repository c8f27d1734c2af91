"""Compliance at the sending FSP, before any money moves: sanctions screening, limits, velocity."""
