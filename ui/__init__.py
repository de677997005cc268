"""The Qt application (PySide6).  kiosk/ never imports this package."""
