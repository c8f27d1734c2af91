"""One router per concept: transactions, receipts, accounts, pending transfers, blocks, events, meta."""
