"""Visitor QR payments: the EMVCo merchant-presented codec (``emv``), QR images (``images``), and the payment
service (``service.QrService``) with its HTTP API (``api.qr_routers``). See docs/qr-payments.md."""
