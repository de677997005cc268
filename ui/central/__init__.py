"""The central office application (``kiosk central gui``): a window of its own over the
central office's data directory (``kiosk.central.office``)."""
