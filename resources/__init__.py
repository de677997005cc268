"""Data files of urn-kiosk (fonts, translations, styles, icons), read through kiosk.assets."""
