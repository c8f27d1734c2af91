"""Compositions that run one member's services on its own (``member``), as opposed to the demo's showcase."""
