"""The labelled evaluation set of ``inzira bench screening``: a fictional list and pairs built from rules and facts."""
