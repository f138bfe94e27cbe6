"""Import (import_flow, column_mapping) and export (export_dialog)."""
