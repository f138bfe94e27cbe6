"""The app on a database whose file may not be written: it opens and lists, and a change is refused with a notice
while the app goes on."""

from __future__ import annotations

from helpers import press, screen_text, settle

from crm_tui.core import contacts
from crm_tui.core.db import close_database, open_database
from crm_tui.ui.app import CrmApp


async def test_a_read_only_database_lists_and_refuses_a_delete_with_a_notice(tmp_path):
    path = tmp_path / "crm.sqlite3"
    open_database(path)
    ann = contacts.create(contacts.ContactDraft(first_name="Ann", last_name="Lee"))
    close_database()
    path.chmod(0o444)
    opened = open_database(path)
    assert opened.read_only
    app = CrmApp(opened)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert "Ann Lee" in screen_text(app)
            await press(app, pilot, "d", "y")
            notices = [str(notice.message) for notice in app._notifications]
            assert any("read-only" in notice for notice in notices), notices
            assert "Ann Lee" in screen_text(app)
        assert contacts.get(ann.id).deleted_at is None
    finally:
        close_database()
    assert path.stat().st_mode & 0o777 == 0o444
