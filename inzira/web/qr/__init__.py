"""The QR payment pages (under /qr): the merchant's POS and the visitor's wallet, over the QR API."""

from inzira.web.qr.demo_customers import DemoCustomers, ensure_demo_customers
from inzira.web.qr.pages import QR_PAGE_BODY_LIMITS, QrPages

__all__ = ["QR_PAGE_BODY_LIMITS", "DemoCustomers", "QrPages", "ensure_demo_customers"]
