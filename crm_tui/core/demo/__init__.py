"""Realistic demo data (generator), from the pools of names and places in pools."""

from crm_tui.core.demo.generator import (
    ACTIVITIES_PER_CONTACT as ACTIVITIES_PER_CONTACT,
    contact_drafts as contact_drafts,
    CONTACTS_PER_COMPANY as CONTACTS_PER_COMPANY,
    CURRENCIES as CURRENCIES,
    DEALS_PER_CONTACT as DEALS_PER_CONTACT,
    DEFAULT_CONTACTS as DEFAULT_CONTACTS,
    DemoSummary as DemoSummary,
    fill as fill,
    holds_demo_data as holds_demo_data,
    is_empty as is_empty,
    KEEP_IN_TOUCH_DAYS as KEEP_IN_TOUCH_DAYS,
    TASKS_PER_CONTACT as TASKS_PER_CONTACT,
)
