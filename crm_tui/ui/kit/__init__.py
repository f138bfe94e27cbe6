"""What every screen is built from: the base dialog, detail, form and list screens, the paged list that reads a
page at a time, its record sources and the reader threads, the header and the filter box."""
