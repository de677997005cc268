"""Signed batches: the canonical batch format (``format``) and the kiosk's export (``export``)."""
