"""Intake: the scan pipeline, the originals store, camera streams and the review queue."""
