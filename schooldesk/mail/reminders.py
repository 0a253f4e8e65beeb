"""Reminder emails for the other registers (contract notice dates, payments due, licence renewals,
warranties ending). One function, called from those apps' periodic tasks:

    from schooldesk.mail.reminders import ReminderKind, reminder_send

    reminder_send(
        school=contract_school,                 # whose desk address it comes from (may be None)
        kind=ReminderKind.CONTRACT,             # which preference can switch it off
        people=[school.spoc, school.deputy],    # users; None and people without an email are skipped
        subject="Notice for the broadband contract is due by 31/01/2027",
        body="Give notice to Pennine Broadband by 31/01/2027 or the contract renews for 3 years.",
        key=f"contract:{contract.pk}:notice:{notice_on:%Y%m%d}",   # the same key is sent once per person
        url=f"/suppliers/contracts/{contract.pk}/",                 # optional: a link back, relative or absolute
        due_on=notice_on,                                           # optional: shown as dd/mm/yyyy
    )

It returns the logged messages (OutboundMessage), one per person who wants this kind of reminder.
They are sent after the current transaction commits (at once outside one), retried on failure by
the mail app's periodic task, and carry `Auto-Submitted: auto-generated`. Calling it again with the
same key (a daily job re-running) sends nothing new; change the key (e.g. add the date of the
reminder: 30, 7 and 1 days before) to remind again. The body is plain text, escaped in the HTML part.

`reminders_send` (a daily periodic task) sends the payment, licence and warranty reminders; the contract
(suppliers) and diary reminders are sent by those apps' periodic tasks through `reminder_send`. Every
reminder offered on the preferences page is therefore sent, once, through the one outbound path.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.assets.models import Asset
from schooldesk.core.roles import Role
from schooldesk.core.templatetags.desk_format import money
from schooldesk.diary.models import Payment
from schooldesk.licences.models import Licence
from schooldesk.mail.choices import NotificationEvent, Purpose
from schooldesk.mail.models import OutboundMessage
from schooldesk.mail.outbound import deliver_after_commit, message_queue, site_url, wanted


class ReminderKind(models.TextChoices):
    CONTRACT = NotificationEvent.REMINDER_CONTRACT, _("Contract notice date")
    PAYMENT = NotificationEvent.REMINDER_PAYMENT, _("Payment due")
    LICENCE = NotificationEvent.REMINDER_LICENCE, _("Licence renewal")
    WARRANTY = NotificationEvent.REMINDER_WARRANTY, _("Warranty ending")
    DIARY = NotificationEvent.REMINDER_DIARY, _("Diary reminder")


def reminder_send(
    *,
    school,
    kind: str,
    people,
    subject: str,
    body: str,
    key: str,
    url: str = "",
    due_on: date | None = None,
    deliver: bool = True,
) -> list[OutboundMessage]:
    """Log (and, with `deliver`, send after commit) one reminder per person who wants it. A caller that
    logs inside its own transaction and sends once it has committed passes deliver=False and calls
    `outbound.messages_deliver` itself."""
    if kind not in ReminderKind.values:
        raise ValueError(f"Unknown reminder kind {kind!r}: use ReminderKind.")
    if url.startswith("/"):
        url = site_url() + url
    messages, seen = [], set()
    for person in people:
        if person is None or person.pk in seen or not person.email or not wanted(person, kind):
            continue
        seen.add(person.pk)
        message = message_queue(
            purpose=Purpose.REMINDER,
            to_address=person.email,
            dedupe_key=f"{kind}:{key}",
            subject=subject,
            template="reminder",
            context={"body": body, "url": url, "due_on": due_on, "kind": ReminderKind(kind).label, "school": school},
            school=school,
            recipient=person,
            in_reply_to="",
            references=[],
        )
        if message is not None:
            messages.append(message)
    if deliver:
        deliver_after_commit(messages)
    return messages


# --- the reminders on the preferences page that no other app sends ------------------------------
#: how many days before its date each is reminded of (once: the outbound log keeps each key once per person)
PAYMENT_DAYS = 7
LICENCE_DAYS = 30
WARRANTY_DAYS = 30


def reminder_people(school) -> list:
    """Who hears about a school's registers: its desk (the SPOC) and its ICT owners (they approve spend)."""
    from schooldesk.mail.notify import desk_people

    owners = (
        User.objects.filter(
            Q(memberships__school=school)
            | Q(memberships__organisation_id=school.organisation_id, memberships__school__isnull=True),
            memberships__role=Role.OWNER,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return list(dict.fromkeys([*desk_people(school), *owners]))


def payments_remind(today: date) -> list[OutboundMessage]:

    due = Payment.objects.filter(paid_on__isnull=True, due_on__range=(today, today + timedelta(days=PAYMENT_DAYS)))
    messages = []
    for payment in due.select_related("school__spoc", "supplier").order_by("due_on", "pk"):
        messages += reminder_send(
            school=payment.school,
            kind=ReminderKind.PAYMENT,
            people=reminder_people(payment.school),
            subject=f"Payment due {payment.due_on:%d/%m/%Y}: {payment.description} ({payment.supplier})",
            body=f"{payment.description} to {payment.supplier}: {money(payment.gross)} including VAT, due on "
            f"{payment.due_on:%d/%m/%Y}. Record it as paid in the diary once it is.",
            key=f"payment:{payment.pk}:{payment.due_on:%Y%m%d}",
            url="/diary/payments/",
            due_on=payment.due_on,
            deliver=False,
        )
    return messages


def licences_remind(today: date) -> list[OutboundMessage]:
    from schooldesk.licences.selectors import licences_due_for_renewal  # a circle: licences → diary → mail

    messages = []
    due = licences_due_for_renewal(Licence.objects.all(), within_days=LICENCE_DAYS, today=today)
    for licence in due.select_related("school__spoc").order_by("pk"):
        window = today + timedelta(days=LICENCE_DAYS)
        renews = licence.renews_on if licence.renews_on and today <= licence.renews_on <= window else None
        when = renews or licence.ends_on
        what = "renews" if renews else "ends"
        messages += reminder_send(
            school=licence.school,
            kind=ReminderKind.LICENCE,
            people=reminder_people(licence.school),
            subject=f"Licence {what} {when:%d/%m/%Y}: {licence}",
            body=f"The licence for {licence} {what} on {when:%d/%m/%Y}. Decide whether to renew it, and how many.",
            key=f"licence:{licence.pk}:{what}:{when:%Y%m%d}",
            url=f"/licences/{licence.pk}/",
            due_on=when,
            deliver=False,
        )
    return messages


def warranties_remind(today: date) -> list[OutboundMessage]:
    """One email per school and end date, listing the kit (a class set bought together ends together)."""
    from schooldesk.assets.selectors import assets_warranty_ending  # a circle: assets → incidents → mail

    ending = (
        assets_warranty_ending(Asset.objects.all(), within_days=WARRANTY_DAYS, today=today)
        .select_related("school__spoc")
        .order_by("school_id", "warranty_ends_on", "tag")
    )
    groups: dict[tuple, list] = {}
    for asset in ending:
        groups.setdefault((asset.school, asset.warranty_ends_on), []).append(asset)
    messages = []
    for (school, ends_on), assets in groups.items():
        lines = [f"{a.tag} {a}" for a in assets[:50]] + ([f"and {len(assets) - 50} more"] if len(assets) > 50 else [])
        messages += reminder_send(
            school=school,
            kind=ReminderKind.WARRANTY,
            people=reminder_people(school),
            subject=f"Warranty ends {ends_on:%d/%m/%Y}: {len(assets)} item{'s' if len(assets) != 1 else ''}",
            body=f"The warranty of these ends on {ends_on:%d/%m/%Y}:\n" + "\n".join(lines),
            key=f"warranty:{school.pk}:{ends_on:%Y%m%d}",
            url="/assets/",
            due_on=ends_on,
            deliver=False,
        )
    return messages


def reminders_send(*, today: date | None = None) -> int:
    """Daily: every payment, licence and warranty reminder now due, once (a second run sends nothing new:
    each is logged once per person and key). Returns how many were sent now."""
    from schooldesk.mail.outbound import messages_deliver

    today = today or timezone.localdate()
    messages = [*payments_remind(today), *licences_remind(today), *warranties_remind(today)]
    return messages_deliver(messages)
