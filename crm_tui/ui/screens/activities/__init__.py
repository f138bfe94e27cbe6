"""Activities: logging and tasks (form), the activity log (log), the agenda (agenda) and the timelines on
detail screens (timeline)."""
