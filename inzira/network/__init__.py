"""A local multi-member network on loopback: NATS servers and one peer process per member."""
