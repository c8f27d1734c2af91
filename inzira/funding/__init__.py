"""Funding through the issuer: money enters and leaves the network only by the issuer's own decision.

A holder asks (a deposit with the settlement reference of the interbank payment it made to the issuer; a
withdrawal as a redemption it signed); the issuer's officers approve or reject from the issuer's own page
and API; the issuer signs with its own key. See ``inzira.funding.desk``.
"""
