"""Ordering services: how transactions get a total order and are cut into blocks."""
