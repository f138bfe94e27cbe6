"""vCard 2.1, 3.0 and 4.0 in (read, through vobject, loaded when used) and 4.0 or 3.0 out (write)."""
