"""Add or edit a company: name, domain, phone, address and notes, errors under the field."""

from __future__ import annotations

from typing import Any

from crm_tui.core import companies
from crm_tui.core.validation import clean_phone
from crm_tui.ui.kit.form import Field, RecordFormScreen, form_bindings

FIELDS = (
    Field("name", "Name"),
    Field("domain", "Domain", placeholder="example.com"),
    Field("phone", "Phone", check=lambda phone: clean_phone(phone) if phone.strip() else ""),
    Field("address", "Address"),
    Field("notes", "Notes", "lines"),
)


class CompanyFormScreen(RecordFormScreen):
    """Add a company (no argument) or edit one; dismisses with the saved company's id, or None."""

    FIELDS = FIELDS
    NOUN = "company"
    SERVICE = companies
    BINDINGS = form_bindings("company_form")

    def __init__(self, company: companies.CompanyData | None = None) -> None:
        super().__init__(company)

    def values_of(self, record: companies.CompanyData) -> dict[str, Any]:
        return {name: getattr(record, name) for name in companies.FIELDS}

    def create_record(self, values: dict[str, Any]) -> companies.CompanyData:
        return companies.create(values)
