"""Contacts: the list (contacts), a contact's detail screen (detail), its form (form) and tag dialogs (tags)."""
