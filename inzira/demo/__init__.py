"""The demo network: fictional members, their keys and accounts, and the seeding that prefunds them."""
