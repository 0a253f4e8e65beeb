from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES, Role

#: who keeps a school's replies (and, held across an organisation, the organisation's)
MANAGE_ROLES = DESK_ROLES
#: who may insert them on a call: those who reply on calls for the school
USE_ROLES = STAFF_ROLES | {Role.PROVIDER}

#: the placeholders a reply may use, and what each is filled with
PLACEHOLDERS = {
    "first_name": _("the reporter's first name"),
    "reference": _("the call's reference, e.g. INC-000123"),
    "summary": _("what the call is about"),
    "school": _("the school's name"),
    "spoc_name": _("the SPOC's name"),
    "spoc_hours": _("the SPOC's days and hours, e.g. Mon–Fri 08:00–16:00"),
    "my_name": _("your own name"),
}
