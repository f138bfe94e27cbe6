"""Deals: the board and the deals table (pipeline), a deal's detail screen (detail) and form (form), the
dialogs for moving, winning and losing deals (dialogs, changes), and pipeline and stage settings."""
