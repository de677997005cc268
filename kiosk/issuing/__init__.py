"""Issuing ballots: print jobs, their serials, and the printer."""
