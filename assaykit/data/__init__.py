"""Bundled data tables (half-lives with their sources)."""
