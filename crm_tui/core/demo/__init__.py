"""Realistic demo data (generator), from the pools of names and places in pools."""

from crm_tui.core.demo.generator import (
    DEFAULT_CONTACTS as DEFAULT_CONTACTS,
    KEEP_IN_TOUCH_DAYS as KEEP_IN_TOUCH_DAYS,
    DemoSummary as DemoSummary,
    contact_drafts as contact_drafts,
    fill as fill,
    is_empty as is_empty,
)
from crm_tui.core.info import holds_demo_data as holds_demo_data
