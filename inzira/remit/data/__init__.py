"""Data files shipped with the remittance service (the fictional sample sanctions list)."""
