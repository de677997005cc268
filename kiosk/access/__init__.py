"""Access: roles and permissions, PINs and sign-in, kiosk settings."""
