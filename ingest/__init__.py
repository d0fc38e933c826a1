"""Ingest: raw sources -> corpus Markdown -> section tree -> chunks -> index."""
