"""Grouping: duplicates (dedup), stories across outlets (stories), the taxonomy and its classifier."""
