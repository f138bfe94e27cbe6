"""Duplicates: the scan's groups (duplicates) and the merge screen (merge)."""
