"""``qr.db``: the QR service's own SQLite (merchants, bills, wallets, payments, refunds, top-ups, events).

Personal and commercial data stays here, off chain; the chain holds the money and opaque references. One
writer thread commits many requests' changes together (``writer``); readers use their own connections
(``reader``), which WAL mode lets run beside the writer.
"""
