"""A record's history (history) and the trash (trash)."""
