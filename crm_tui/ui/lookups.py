"""Completion for the forms' name fields: the first company, contact or pipeline whose name starts with what was
typed, ignoring case and accents. Read in the forms' workers, like any other service call."""

from __future__ import annotations

from crm_tui.core import companies, contacts
from crm_tui.core.deals import pipelines
from crm_tui.core.text import fold


def first_starting(prefix: str, names: list[str]) -> str | None:
    """The first of `names` that starts with `prefix`, ignoring case and accents."""
    key = fold(prefix)
    return next((name for name in names if fold(name).startswith(key)), None) if key else None


def company_starting(prefix: str) -> str | None:
    """The first live company, by name, whose name starts with `prefix`."""
    if not fold(prefix):
        return None
    return first_starting(prefix, [company.name for company in companies.list_page(text=prefix, limit=20).items])


def contact_starting(prefix: str) -> str | None:
    """The first live contact, by name, whose name starts with `prefix`."""
    if not fold(prefix):
        return None
    return first_starting(prefix, [contact.name for contact in contacts.list_page(text=prefix, limit=20).items])


def pipeline_starting(prefix: str) -> str | None:
    return first_starting(prefix, [pipeline.name for pipeline in pipelines.list_pipelines()])
