"""An outreach worker's street notes written with no signal survive a browser restart.

The worker logs in once online. Offline, they write two notes; the browser is closed and
started again with the same profile (as a phone does overnight) while still offline: the
street page opens from the service worker's copy and lists both notes as waiting. When the
connection returns, both are stored exactly once, each with the time it was written.
"""
from datetime import datetime, timezone

from .conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, PHONE, assert_accessible
from .test_pwa import WORKER_READY
from .test_street_page import log_in


def phone_profile(browser, problems, path):
    """A phone's browser with its profile on disk (what survives a restart)."""
    options = {key: value for key, value in PHONE.items() if key != "is_mobile"}
    context = browser.browser_type.launch_persistent_context(
        path, executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options)
    page = context.pages[0] if context.pages else context.new_page()
    return context, problems.watch(page)


def write_note(page, text: str) -> None:
    page.get_by_role("radio", name="Negatiivinen").check()
    page.get_by_label("Ilmiöluokka").select_option("social_problems")
    page.get_by_label("Mitä kohtasit?").fill(text)
    page.get_by_role("button", name="Tallenna havainto").click()
    page.locator("[data-status]").get_by_text("Tallennettu tähän puhelimeen").wait_for()


def test_street_notes_written_offline_arrive_once_after_a_browser_restart(live_app, live_server, browser, problems,
                                                                         tmp_path):
    from workshop.accounts import create_account
    from workshop.extensions import db
    from workshop.models import Role, StreetNote

    with live_app.app_context():
        create_account("ville", PASSWORD, Role.WORKER)
    profile = tmp_path / "phone-profile"

    context, page = phone_profile(browser, problems, profile)
    log_in(page, live_server, "ville")
    page.wait_for_url(f"{live_server}/street/")
    page.evaluate(WORKER_READY)
    page.reload()  # now under the service worker, which keeps the page for offline use
    page.get_by_role("heading", level=1).wait_for()

    context.set_offline(True)
    written_before = datetime.now(timezone.utc)
    write_note(page, "Nuori nukkuu rappukäytävässä")
    write_note(page, "Ruokajonossa oli tänään kolme uutta")
    assert page.locator(".street-note__waiting").count() == 2
    assert_accessible(page)
    context.close()  # the browser is closed with the notes still on the phone

    context, page = phone_profile(browser, problems, profile)
    context.set_offline(True)
    page.goto(f"{live_server}/street/")  # no network: the service worker's copy
    page.locator(".street-note__waiting").nth(1).wait_for()
    assert page.get_by_text("Nuori nukkuu rappukäytävässä").is_visible()
    assert_accessible(page)
    with live_app.app_context():
        assert db.session.query(StreetNote).count() == 0

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.locator(".street-note__waiting").first.wait_for(state="detached")
    with live_app.app_context():
        notes = db.session.query(StreetNote).order_by(StreetNote.id).all()
        assert [note.text for note in notes] == ["Nuori nukkuu rappukäytävässä", "Ruokajonossa oli tänään kolme uutta"]
        # The time each was written, not the time it arrived (after the restart).
        assert all(written_before <= note.written_at < note.created_at for note in notes)
        db.session.remove()
    context.close()
