"""Search everywhere (search) and saving a search (save_search)."""
