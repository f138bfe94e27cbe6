"""Widgets of one screen each: the kanban board and its columns, the board's status line, the merge table."""
