"""Ingestion of delivered packages: discover, archive, parse every physical variant, re-key, load."""
