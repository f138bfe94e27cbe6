"""Text folding for sort keys and tag names, so that "Émile" sorts like "emile" and "VIP" is the tag "vip"."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# The sort key of a contact without a company: past every real name, so those contacts come last.
NO_COMPANY_SORT = "\U0010ffff"


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded, spaces squeezed."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())
