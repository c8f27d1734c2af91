"""Server-rendered web pages over a node: the block explorer (and, later, the member-facing pages)."""
