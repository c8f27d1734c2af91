"""The ``inzira`` command line: thin adapters over the services (Typer + Rich)."""
