"""Companies: the organisations contacts work for."""

from crm_tui.core.companies.service import (
    FIELDS as FIELDS,
    SORTS as SORTS,
    CompanyData as CompanyData,
    count as count,
    create as create,
    delete as delete,
    delete_many as delete_many,
    ensure as ensure,
    find_by_names as find_by_names,
    get as get,
    get_many as get_many,
    ids as ids,
    iterate as iterate,
    list_page as list_page,
    neighbour as neighbour,
    purge as purge,
    restore as restore,
    restore_many as restore_many,
    update as update,
    validate as validate,
)
