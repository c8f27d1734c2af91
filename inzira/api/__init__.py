"""The ledger's HTTP API: thin FastAPI adapters over a node, with RFC 9457 problem+json errors."""
