"""A member's peer on the distributed network: its own keys, store and API, ordering on NATS JetStream.

``service.Peer`` assembles it; ``runtime.PeerRuntime`` is what the API and the services use; ``python -m
inzira.peer FOLDER`` runs one as a process (``inzira network`` starts one per member).
"""
