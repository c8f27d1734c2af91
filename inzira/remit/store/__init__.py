"""remit.db: the remittance service's own SQLite store (quotes, transfers, decisions, payouts, notices)."""
