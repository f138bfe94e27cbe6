"""The companies section: every company with its people count, opened to see who works there."""

from __future__ import annotations

from crm_tui.core import companies
from crm_tui.core.companies.service import CompanyData
from crm_tui.ui.kit.list_screen import ListScreen
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.screens.companies.detail import CompanyDetailScreen
from crm_tui.ui.screens.companies.form import CompanyFormScreen
from crm_tui.ui.sources import CompanySource


class CompaniesScreen(ListScreen):
    noun = "company"
    plural = "companies"
    link_field = "company_id"
    filter_placeholder = "Filter: name, domain, notes…"

    def make_source(self) -> CompanySource:
        return CompanySource()

    def detail_screen(self, record_id: int, record_list: RecordList) -> CompanyDetailScreen:
        return CompanyDetailScreen(record_id, record_list.source, record_list.list_query)

    def form_screen(self, record: CompanyData | None) -> CompanyFormScreen:
        return CompanyFormScreen(record)

    def get_record(self, record_id: int) -> CompanyData:
        return companies.get(record_id)

    def trash(self, ids: list[int]) -> int:
        return companies.delete_many(ids)
