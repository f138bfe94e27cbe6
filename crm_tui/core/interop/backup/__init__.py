"""The JSON backup of everything: the document and its writer (write), reading it back a value at a time (read)
and restoring it into an empty database (restore)."""
