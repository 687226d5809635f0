"""Ingest: every channel in, one clean ticket out."""
