"""Remittances into Rwanda: party lookup by phone number, quotes, compliance screening, transfers, payout."""
