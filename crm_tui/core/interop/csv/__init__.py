"""CSV in and out: reading with encoding and dialect detection (read), mapping columns to fields (mapping) and
writing with formula escaping (write)."""
