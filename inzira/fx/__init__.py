"""The FX provider's side: reference rates, spreads and signed firm quotes (used by remittances and QR)."""
