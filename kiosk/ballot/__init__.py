"""The ballot as defined and printed: campaign files, page layout, QR payload, keys, PDF drawing."""
