"""Local network process management: NATS servers (and later peers) on loopback ports."""
