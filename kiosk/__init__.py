"""urn-kiosk domain core: campaigns, layouts, QR payloads, printing, reading,
storage, export, signing and tally.  Never imports Qt (tests enforce it)."""

__version__ = "0.1.0"
