"""The central office: batch verification, the tally and its report."""
