"""Inzira: a permissioned payment ledger for remittances into Rwanda and visitor QR payments."""

__version__ = "0.1.0"
