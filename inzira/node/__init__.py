"""A member's peer: storage, the commit pipeline, the event feed and the data folder."""
