"""The CRM itself: the schema, the services that read and write it, and the formats it is exchanged in. Never
imports textual, the CLI or the UI (the import contracts in pyproject.toml hold this).

The flat modules are the shared ground every feature stands on (errors, text, phones, validation, money, when,
db, models, records, search_index, info); each package is one feature (contacts, companies, deals, activities,
search, duplicates, audit, demo, interop)."""
