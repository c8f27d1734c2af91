"""Benchmarks: commands that print JSON, run against the real components."""
