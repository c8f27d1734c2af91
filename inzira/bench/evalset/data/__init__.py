"""The evaluation set's files: eval-list.xml and pairs.json (see inzira/bench/evalset/build.py)."""
