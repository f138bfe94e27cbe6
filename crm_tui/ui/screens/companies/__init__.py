"""Companies: the list (companies), a company's detail screen (detail) and its form (form)."""
