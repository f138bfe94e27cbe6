"""The screens a user sees, one package an area. A screen opens a record of another area through
ui/navigation.py, never by importing a sibling screen that would import it back."""
