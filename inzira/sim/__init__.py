"""Local simulators of the outside systems Inzira talks to (mobile-money operators), for tests and demos."""
