"""Local simulators of the outside systems Inzira talks to (mobile-money operators, a card acquirer), for tests
and demos."""
