"""The ledger core: pure and deterministic. No I/O, no clock, no randomness.

Everything here is a function of its inputs: the genesis, the blocks and their timestamps. Peers that
replay the same blocks reach the same state hash, byte for byte.
"""
