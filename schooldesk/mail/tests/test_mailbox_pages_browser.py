"""The mailbox settings page (with its sending settings and the "not confirmed yet" state) and the public
confirmation page reached from the emailed link: axe-core in a real browser finds no serious violation."""

import pytest

from schooldesk.core.tests.browser import axe_violations, describe_violations, sign_in
from schooldesk.mail.services import _confirm_token
from schooldesk.mail.tests.factories import MailboxFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_mailbox_and_confirmation_pages_are_accessible(cast, open_page, live_server, password):
    mailbox = MailboxFactory(school=cast.school, address="ictdesk@oak.sch.uk", verified_at=None)
    page = open_page()
    page.goto(f"{live_server.url}/mail/mailboxes/confirm/{_confirm_token(mailbox)}/")  # not signed in
    assert page.get_by_role("button", name="Confirm this address").is_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    sign_in(page, cast.spoc, password)
    page.goto(f"{live_server.url}/mail/mailboxes/{mailbox.pk}/")
    assert page.get_by_text("not confirmed yet").is_visible()
    assert page.get_by_label("SMTP server").is_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
