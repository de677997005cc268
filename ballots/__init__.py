"""Campaign files of urn-kiosk, read through kiosk.assets."""
