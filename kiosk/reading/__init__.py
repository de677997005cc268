"""Reading ballots: image files and video frames in, QR codes and marked boxes out (no database)."""
