from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, Role

#: propose new procedures and changes to them (the SPOC; the owner too)
PROPOSE_ROLES = DESK_ROLES
#: authorise a proposal, which makes it the current version: the ICT owner only
AUTHORISE_ROLES = frozenset({Role.OWNER})


class VersionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed: awaiting the ICT owner")
    CURRENT = "current", _("Current")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Not authorised")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: A sensible starting set for a school's service desk (FITS service desk procedures). The text is
#: filled in with the school's own details: {school}, {spoc}, {spoc_days}, {spoc_hours}, {deputy},
#: {deputy_hours}, {desk_phone}, {desk_email}, {service_hours}, {p1_respond}, {p1_resolve}.
STARTER_PROCEDURES = [
    (
        "How to report a fault or make a request",
        """\
Report every ICT fault and request to the service desk, never straight to a technician: the desk keeps
track of it until it is fixed.

1. Use "Report a problem" in SchoolDesk (on a phone, tablet or computer), scan the QR label on the room
   or device, email {desk_email}, or phone the desk on {desk_phone}.
2. Say what is wrong, where, which device (the asset tag on its label), what you expected to happen, what
   happened instead, what you have already tried and when it last worked.
3. Say where and when you can be found, so the technician can reach you between lessons.
4. You get a call reference (INC-…). Quote it if you chase; replies and updates come to you by email.
5. When you are told it is fixed, confirm it, or reopen the call if it is not.

Requests for new equipment, software or access go through the same form: choose "A request".""",
    ),
    (
        "The SPOC's hours and cover",
        """\
The single point of contact (SPOC) for ICT at {school} is {spoc}, available {spoc_days}, {spoc_hours}.
When the SPOC is away or outside those hours, {deputy} covers ({deputy_hours}).

The desk's service hours are {service_hours} on school days. Calls logged outside those hours are
picked up at the start of the next school day; the SLA clock only runs in service hours.

If both the SPOC and the deputy are away, the school office logs calls on their behalf and the
technician works from the triage queue.""",
    ),
    (
        "Escalation: who does what, and when",
        """\
1. Service desk (the SPOC): logs and triages every call (impact × urgency gives the priority), checks
   the known errors, and gives a workaround when there is one.
2. First-level support (our technician): calls the desk cannot fix are forwarded to the technician,
   or held for the next scheduled visit when they can wait.
3. Second-level support (a supplier: the LA ICT team, broadband, MIS, the reseller): escalated by the
   desk or the technician, with the supplier's own reference recorded on the call.
4. The desk chases any call near its resolution target and tells the ICT owner about breaches.
5. Anything that changes shared ICT (servers, network, software for many people) needs a request for
   change authorised by the ICT owner before anything is bought or done.""",
    ),
    (
        "What counts as a priority 1",
        """\
Priority 1 (critical) is a fault that stops teaching, statutory or safeguarding work right now for the
whole school or a school-wide service. For example:
- no internet or network for the whole school;
- the MIS (registers) unavailable at registration time;
- the phones or the door entry system down;
- the web filtering not working;
- a virus, ransomware or a suspected data breach.

Phone the desk on {desk_phone} as well as logging it. The desk responds within {p1_respond} and aims to
resolve it within {p1_resolve} of service time; the ICT owner is told at once.""",
    ),
    (
        "Password resets and locked accounts",
        """\
1. Staff: report it through SchoolDesk from another device, or phone the desk on {desk_phone}.
   The desk checks who you are (in person or by calling you back on the number the school holds)
   before anything is reset. Never share a password, even with the desk.
2. Pupils: the class teacher logs one call for the class with the pupils' names; no pupil
   passwords are sent by email.
3. MIS and finance system passwords are reset only by the SPOC or the ICT owner.
4. After a reset you are asked to choose a new password at the next sign-in.""",
    ),
    (
        "Safeguarding and filtering concerns",
        """\
If a pupil may have seen harmful content, or the filtering or monitoring seems not to work:

1. Tell the designated safeguarding lead (DSL) at once, in person. Do not investigate yourself and do not
   screenshot or forward the content.
2. Log the call in SchoolDesk and tick "restricted": only the ICT owner, the DSL/DPO and the people
   involved can see a restricted call.
3. The desk escalates filtering faults to the filtering provider the same day as a priority 1 or 2.
4. The DSL decides what happens next under the school's safeguarding policy (KCSIE); the call records
   the technical side only.""",
    ),
]
