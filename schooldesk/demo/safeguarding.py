"""Demo restricted lane (after schooldesk/demo/schools.py, whose calls include a few data breaches: a class list
emailed to the wrong parent, a laptop lost on the way home): each has its breach record, so the DPO's breach log,
its export and the 72-hour clock show what a school's year brings. The closed ones are decided (most not
notifiable, one reported to the ICO with its reference); the open one is undecided, its clock running.
`manage.py demo_seed` calls `safeguarding_demo(demo)`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.models import Incident
from schooldesk.safeguarding.choices import Notifiable, PeopleTold
from schooldesk.safeguarding.models import Breach


def safeguarding_demo(demo, *, now=None) -> None:
    now = now or timezone.now()
    for key, school in demo.schools.items():
        dpo = demo.people[key].by_role["dpo"]
        calls = Incident.objects.filter(school=school, is_restricted=True).order_by("logged_at")
        for n, call in enumerate(calls):
            if Breach.objects.filter(incident=call).exists():
                continue
            laptop = "laptop" in call.summary.lower()
            breach = Breach(
                school=school,
                incident=call,
                aware_at=call.logged_at,
                data_involved="Pupils' names and assessment marks, on the laptop's disk."
                if laptop
                else "Names, classes and reading levels of a class of pupils.",
                people_affected=28,
                involves_children=True,
                consequences="Low: no contact details or special category data.",
                containment="Laptop wiped remotely; its disk was encrypted."
                if laptop
                else "Recipient asked to delete it and confirmed they had; the sender reminded of the checks.",
            )
            if call.status in ACTIVE_STATUSES:  # reported in the last day: the DPO has not decided yet
                breach.aware_at = max(call.logged_at, now - timedelta(hours=20))
                breach.consequences = breach.containment = ""
            elif n % 4 == 1:
                breach.notifiable, breach.decided_by = Notifiable.YES, dpo
                breach.notifiable_reason = "Children's data sent outside the school: a risk to them we cannot rule out."
                breach.decided_at = call.logged_at + timedelta(hours=20)
                breach.ico_told_at = call.logged_at + timedelta(hours=40)
                breach.ico_reference = f"IC-{210000 + call.pk}-D4K2"
                breach.people_told = PeopleTold.YES
            else:
                breach.notifiable, breach.decided_by = Notifiable.NO, dpo
                breach.notifiable_reason = "Contained within the hour and deleted by the recipient: unlikely to harm."
                breach.decided_at = call.logged_at + timedelta(hours=6)
                breach.people_told = PeopleTold.NOT_NEEDED
            breach.save()
