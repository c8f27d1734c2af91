"""Visitor QR payments: the EMVCo merchant-presented codec (``inzira.qr.emv``) and QR images (``images``)."""
