"""Search everywhere: the query language (syntax), running it over every kind of record (query) and saved
searches (saved). The full-text index the services keep up to date is core/search_index.py."""
