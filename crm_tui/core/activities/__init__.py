"""Activities: calls, meetings, emails, notes and tasks; their links (links), lists (listing), the activity
log (feed), the agenda (agenda) and stay in touch (follow_ups)."""

from crm_tui.core.activities.service import (
    ActivityData as ActivityData,
    COLUMNS as COLUMNS,
    create as create,
    data as data,
    delete as delete,
    delete_many as delete_many,
    FIELDS as FIELDS,
    get as get,
    get_many as get_many,
    KINDS as KINDS,
    LOGGED_KINDS as LOGGED_KINDS,
    purge as purge,
    restore as restore,
    restore_many as restore_many,
    set_done as set_done,
    SOURCE as SOURCE,
    TASK as TASK,
    update as update,
    write_back as write_back,
)
