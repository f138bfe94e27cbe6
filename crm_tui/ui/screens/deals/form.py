"""Add or edit a deal: title, value and currency, where it sits (pipeline and stage), who it is with, the expected
close date and notes. Names are completed as typed, and an amount is read back as it will be saved."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.widgets import Input

from crm_tui import config
from crm_tui.core import companies, contacts, deals, money
from crm_tui.core.db import connection
from crm_tui.core.deals import pipelines
from crm_tui.core.deals.service import DealData
from crm_tui.core.errors import CrmError
from crm_tui.core.validation import clean_currency, clean_date
from crm_tui.ui.kit.form import Field, RecordFormScreen, form_bindings
from crm_tui.ui.lookups import company_starting, contact_starting, first_starting, pipeline_starting

VALUE_PLACEHOLDER = "e.g. 12500.50 or 12.500,50 (empty is 0)"



class DealFormScreen(RecordFormScreen):
    """Add a deal (no `deal`; optionally placed in a pipeline and stage, or with a contact or company already
    filled in) or edit one. Dismisses with the saved deal's id, or None."""

    NOUN = "deal"
    SERVICE = deals
    BINDINGS = form_bindings("deal_form")

    def __init__(self, deal: DealData | None = None, *, pipeline_id: int | None = None, stage_id: int | None = None,
                 contact_id: int | None = None, company_id: int | None = None) -> None:
        super().__init__(deal)
        self.presets = {"pipeline": pipeline_id, "stage": stage_id, "contact": contact_id, "company": company_id}
        self.default_currency = deals.DEFAULT_CURRENCY
        self.pipeline_typed = deal.pipeline if deal is not None else ""
        self.value_text = ""
        self.FIELDS = (
            Field("title", "Title"),
            Field("value", "Value", placeholder=VALUE_PLACEHOLDER, check=self.check_value),
            Field("currency", "Currency", placeholder="ISO code such as EUR",
                  check=lambda text: clean_currency(text) if text.strip() else ""),
            Field("pipeline", "Pipeline", placeholder="name (→ completes)", suggest=pipeline_starting),
            Field("stage", "Stage", placeholder="name; empty is the first stage", suggest=self.stage_starting),
            Field("contact", "Contact", placeholder="name or #id (→ completes)", suggest=contact_starting),
            Field("company", "Company", placeholder="name or #id; a new name adds the company",
                  suggest=company_starting),
            Field("expected_close", "Close by", placeholder="YYYY-MM-DD",
                  check=lambda text: clean_date(text, "expected_close")),
            Field("notes", "Notes", "lines"),
        )

    # Values ------------------------------------------------------------------------------------------------

    def values_of(self, record: DealData) -> dict[str, Any]:
        return {
            "title": record.title, "value": money.to_decimal_string(record.value_minor, record.currency),
            "currency": record.currency, "pipeline": record.pipeline, "stage": record.stage,
            "contact": record.contact or "", "company": record.company or "",
            "expected_close": record.expected_close, "notes": record.notes,
        }

    def create_record(self, values: dict[str, Any]) -> DealData:
        sent = dict(values)
        refs = self.preset_refs
        pipeline_kept = "pipeline" not in refs or values["pipeline"] == refs["pipeline"][0]
        for name, (shown, ref) in refs.items():
            if values.get(name) == shown and (name != "stage" or pipeline_kept):
                sent[name] = ref  # a stage id only holds in the pipeline it was preset with
        return deals.create(sent, self.default_currency)

    def update_record(self, record: DealData, changes: dict[str, Any]) -> DealData:
        """A new currency takes the value as the form shows it, so USD 100 -> EUR is EUR 100, as the person sees."""
        if "currency" in changes and "value" not in changes:
            changes = {**changes, "value": self.value_text}
        return deals.update(record.id, record.version, default_currency=self.default_currency, **changes)

    def action_save(self) -> None:
        self.value_text = self.form.text("value")
        super().action_save()

    # Presets -----------------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.default_currency = config.default_currency(getattr(self.app, "settings", {}))
        if self.record is None:
            self.form.load({**{name: "" for name in self.form.fields}, "currency": self.default_currency})
            self.read_presets()
        else:
            super().on_mount()

    @work(thread=True, exclusive=True, group="deal-form-presets")
    def read_presets(self) -> None:
        """Names for the ids the form was opened with; the default pipeline when none was given."""
        wanted = self.presets
        found: dict[str, tuple[str, int | str]] = {}

        def named(name: str, read) -> None:
            try:
                found[name] = read()
            except CrmError:
                pass  # a preset that no longer exists is simply left empty

        def pipeline_named() -> tuple[str, int]:
            ref = wanted["pipeline"]
            if ref is None and wanted["stage"] is not None:
                ref = pipelines.stage_by_id(wanted["stage"]).pipeline_id
            pipeline = pipelines.get(ref) if ref is not None else pipelines.default()
            return pipeline.name, pipeline.id

        def stage_named() -> tuple[str, int]:
            stage = pipelines.get(found["pipeline"][1]).stage(wanted["stage"])
            return stage.name, stage.id

        with connection():
            named("pipeline", pipeline_named)
            if wanted["stage"] is not None and "pipeline" in found:
                named("stage", stage_named)
            if wanted["contact"] is not None:
                named("contact", lambda: (contacts.get(wanted["contact"]).name, f"#{wanted['contact']}"))
            if wanted["company"] is not None:
                named("company", lambda: (companies.get(wanted["company"]).name, f"#{wanted['company']}"))
        self.app.call_from_thread(self.show_presets, found)

    # Checks and completion ---------------------------------------------------------------------------------

    def currency_now(self) -> str:
        typed = self.form.text("currency").strip().upper()
        if len(typed) == 3 and typed.isascii() and typed.isalpha():
            return typed
        return self.record.currency if self.record is not None else self.default_currency

    def check_value(self, text: str) -> None:
        """Read the amount as it will be saved: an error now, or a note of how it reads where that is not plain
        (12.500,50 is saved as EUR 12,500.50)."""
        self.form.set_line("value", "note", "")
        if not text.strip():
            return
        currency = self.currency_now()
        minor = money.parse_amount(text, currency)
        if text.strip() != money.to_decimal_string(minor, currency):
            self.form.set_line("value", "note", f"saved as {money.format_money(minor, currency)}")

    @on(Input.Changed, "#currency")
    def currency_changed(self, event: Input.Changed) -> None:
        if self.form.text("value").strip():
            self.form.check(self.form.fields["value"])

    @on(Input.Changed, "#pipeline")
    def pipeline_changed(self, event: Input.Changed) -> None:
        """Stages are completed from the pipeline typed, so earlier completions no longer hold."""
        self.pipeline_typed = event.value
        suggester = self.query_one("#stage", Input).suggester
        if suggester is not None and suggester.cache is not None:
            suggester.cache.clear()

    def stage_starting(self, prefix: str) -> str | None:
        """Runs on a suggester thread: a stage of the pipeline typed (or the default one) starting with `prefix`."""
        try:
            typed = self.pipeline_typed.strip()
            pipeline = pipelines.get(typed) if typed else pipelines.default()
        except CrmError:
            return None
        return first_starting(prefix, [stage.name for stage in pipeline.stages])
