"""What is in a database: its file, schema version and how many records of each kind it holds."""

from __future__ import annotations

from crm_tui.core.models import Activity, Company, Contact, Deal, Meta, Tag


def holds_demo_data() -> bool:
    """Whether demo data was added (`crm-tui demo`): the app then says so in its header."""
    return Meta.select().where(Meta.key == "demo").exists()


def describe(opened) -> dict:
    live = {model: model.select().where(model.deleted_at.is_null()).count() for model in (Contact, Company, Deal)}
    trashed = sum(model.select().where(model.deleted_at.is_null(False)).count() for model in (Contact, Company, Deal))
    return {
        "path": str(opened.path),
        "schema_version": opened.schema_version,
        "size_bytes": opened.path.stat().st_size,
        "demo": holds_demo_data(),
        "counts": {
            "contacts": live[Contact],
            "companies": live[Company],
            "deals": live[Deal],
            "activities": Activity.select().where(Activity.deleted_at.is_null()).count(),
            "open_tasks": Activity.select().where(
                (Activity.kind == "task") & Activity.done_at.is_null() & Activity.deleted_at.is_null()
            ).count(),
            "tags": Tag.select().count(),
            "in_trash": trashed,
        },
    }


def flatten(facts: dict, prefix: str = "") -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = []
    for key, value in facts.items():
        if isinstance(value, dict):
            pairs.extend(flatten(value, f"{prefix}{key} "))
        else:
            pairs.append((f"{prefix}{key}".replace("_", " "), value))
    return pairs
