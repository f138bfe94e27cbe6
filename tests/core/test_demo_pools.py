"""Consistency of the demo data pools (these checks used to be asserts at import time in demo/pools.py)."""

from __future__ import annotations

import random

import pytest

from crm_tui.core.demo import pools

LOCALE_POOLS = {
    "FIRST_NAMES": pools.FIRST_NAMES, "LAST_NAMES": pools.LAST_NAMES, "CITIES": pools.CITIES,
    "STREETS": pools.STREETS, "PHONE_FORMATS": pools.PHONE_FORMATS, "COMPANY_STEMS": pools.COMPANY_STEMS,
    "COMPANY_SUFFIXES": pools.COMPANY_SUFFIXES,
}


def test_every_locale_has_a_weight():
    assert len(pools.LOCALE_WEIGHTS) == len(pools.LOCALES)
    assert len(set(pools.LOCALES)) == len(pools.LOCALES)
    assert all(weight > 0 for weight in pools.LOCALE_WEIGHTS)


@pytest.mark.parametrize("name", sorted(LOCALE_POOLS))
def test_every_locale_pool_covers_exactly_the_locales(name):
    pool = LOCALE_POOLS[name]
    assert set(pool) == set(pools.LOCALES), pool.keys()
    assert all(pool[locale] for locale in pools.LOCALES)


def test_every_deal_title_names_the_company():
    assert all("{company}" in title for title in pools.DEAL_TITLES)
    assert all(title.format(company="X") for title in pools.DEAL_TITLES)


def test_activity_subjects_cover_every_activity_kind():
    assert set(pools.ACTIVITY_SUBJECTS) == {"call", "meeting", "email", "note", "task"}


@pytest.mark.parametrize("locale", ["zh", "ar"])
def test_every_chinese_and_arabic_name_has_a_latin_romanisation(locale):
    names = (*pools.FIRST_NAMES[locale], *pools.LAST_NAMES[locale])
    missing = [name for name in names if name not in pools.ROMANISED]
    assert missing == [], "every zh/ar name needs a Latin romanisation in ROMANISED"
    assert all(pools.ascii_slug(pools.ROMANISED[name]) == pools.ROMANISED[name] for name in names)


def test_ascii_slug_examples():
    assert pools.ascii_slug("Jürgen-Peter") == "jurgen-peter"
    assert pools.ascii_slug("Weiß") == "weiss"
    assert pools.ascii_slug("'t Hart") == "thart"
    assert pools.ascii_slug("van der Berg") == "vanderberg"
    assert pools.ascii_slug("王") == "" and pools.ascii_slug("محمد") == ""


def test_fill_digits_replaces_every_hash_and_is_seeded():
    first = pools.fill_digits("+31 6 #### ####", random.Random(7))
    assert first == pools.fill_digits("+31 6 #### ####", random.Random(7))
    assert "#" not in first and first.startswith("+31 6 ") and len(first) == len("+31 6 #### ####")
