"""Bundled simulated biodistribution example (see make_example.py)."""
