"""A seeded generator of hostile traffic mixed with honest traffic, and a ground-truth model to judge it.

Pure: no I/O, no clock, no processes; the same seed gives the same transactions, byte for byte. The soak
(``inzira.soak``) drives the real state machine with it; the property tests draw its shapes with Hypothesis.

- ``cast``: the demo members with deterministic keys, their accounts, a stranger, signing helpers;
- ``honest`` / ``hostile`` / ``wild`` / ``members``: the shapes of traffic, each a function of the traffic;
- ``traffic``: the mixer that plans blocks and learns from their verdicts;
- ``model``: an independent ledger of what the verdicts say happened, and the rules no verdict may break.
"""
