"""The eKash gateway: one Mojaloop participant speaking the FSPIOP API v1.1 for Inzira."""
