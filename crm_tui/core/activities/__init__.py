"""Activities: calls, meetings, emails, notes and tasks; their links (links), lists (listing), the activity
log (feed), the agenda (agenda) and stay in touch (follow_ups)."""

from crm_tui.core.activities.service import (
    FIELDS as FIELDS,
    KINDS as KINDS,
    LOGGED_KINDS as LOGGED_KINDS,
    TASK as TASK,
    ActivityData as ActivityData,
    create as create,
    delete as delete,
    delete_many as delete_many,
    get as get,
    get_many as get_many,
    purge as purge,
    restore as restore,
    restore_many as restore_many,
    set_done as set_done,
    update as update,
    write_back as write_back,
)
