"""What happened and taking it back: a record's history (history), undo and redo (undo), the trash of every kind
(trash) and import batches (batches)."""
