"""The action forms of a call's page: each one declared once, with everything the page and its POST need.

An action is offered when its rule (schooldesk/permissions/rules.py, "incidents.<action>") says yes for this person
and this call; the same rule is what the service refuses with, so the page offers exactly what the service accepts
(docs/decisions/0036). The page (incidents/incident_actions.html) draws every offered action the same way: its
title, its form (its own small template where it needs special markup), its button; the POST to
`/incidents/<pk>/<name>/` (IncidentActionView) builds the same form and calls the action's service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from schooldesk.core.permissions import can
from schooldesk.incidents import forms, services
from schooldesk.incidents.choices import IncidentStatus
from schooldesk.safeguarding.services import incident_triage_into_lane

if TYPE_CHECKING:
    from django.forms import Form

    from schooldesk.accounts.models import User
    from schooldesk.incidents.models import Incident


def _none(incident: Incident, user: User) -> dict:
    return {}


def _versioned(incident: Incident, user: User) -> dict:
    return {"version": incident.version}


def _never(incident: Incident, failed: str | None) -> bool:
    return False


@dataclass(frozen=True)
class CallAction:
    """One action form of a call's page."""

    name: str  # the URL (incidents:incident_<name>), the form's ids (id_<name>_…), the section's id (action-<name>)
    form_class: type[Form]
    rule: str  # who may, in which of the call's states: offered by the page, enforced by the service
    perform: Callable[[Incident, User, dict], Any]  # the service call, with the form's cleaned data
    title: Any  # the section's heading
    button: Any  # the submit button's words
    done: Any  # the message after it worked
    initial: Callable[[Incident, User], dict] = _none  # the form's first values, from the call
    form_kwargs: Callable[[Incident, User], dict] = _none  # what the form class needs besides the data
    fields_template: str = "incidents/actions/fields.html"  # the form's fields (its own where the markup differs)
    template: str = "incidents/actions/card.html"  # the section: a card that opens (or the confirm box)
    after_template: str = ""  # drawn once after every action (the saved-reply dialog)
    button_class: str = "btn-primary"
    opens: Callable[[Incident, str | None], bool] = _never  # open without being clicked (`failed`: a failed form)
    #: the page's layout only: whether it is drawn on its own (the rating sits in the confirm form until then)
    alone: Callable[[Incident], bool] | None = None

    def offered(self, incident: Incident, user: User) -> bool:
        return can(user, self.rule, incident) and (self.alone is None or self.alone(incident))

    def form(self, incident: Incident, user: User, data=None, files=None) -> Form:
        form = self.form_class(
            data,
            files,
            initial=None if data is not None else self.initial(incident, user),
            **self.form_kwargs(incident, user),
        )
        form.auto_id = f"id_{self.name}_%s"  # one page holds every action form: ids and labels must not clash
        return form


@dataclass(frozen=True)
class Offer:
    """An action as the page draws it: its form (bound, when it failed) and whether its section is open."""

    action: CallAction
    form: Form
    open: bool

    @property
    def name(self) -> str:
        return self.action.name


def _triage(incident, by, data):
    return incident_triage_into_lane(
        lane=data.get("restricted_lane", ""),
        incident=incident,
        by=by,
        version=data["version"],
        category=data["category"],
        impact=data["impact"],
        urgency=data["urgency"],
        priority=data["priority"],
        reason=data["reason"],
        is_restricted=data["is_restricted"],
        location=data["location"],
    )


#: in the page's order
CALL_ACTIONS: tuple[CallAction, ...] = (
    CallAction(
        "confirm",
        forms.ConfirmForm,
        "incidents.confirm",
        lambda i, u, d: services.incident_confirm(
            incident=i, by=u, satisfaction=d["satisfaction"], comment=d["comment"]
        ),
        _("Is it fixed?"),
        _("Yes, it is fixed"),
        _("Thank you: the call is closed."),
        form_kwargs=lambda i, u: {"rate": can(u, "incidents.rate", i) and not i.satisfaction},
        template="incidents/actions/confirm.html",
        button_class="btn-success",
    ),
    CallAction(
        "rate",
        forms.RateForm,
        "incidents.rate",
        lambda i, u, d: services.incident_rate(incident=i, by=u, rating=d["rating"], comment=d["comment"]),
        _("How was your call handled?"),
        _("Send my rating"),
        _("Thank you for rating the help you got."),
        initial=lambda i, u: {"rating": i.satisfaction, "comment": i.satisfaction_comment},
        opens=lambda i, failed: True,
        # closed, or rated and still changeable: the question on its own (resolved and unrated: in "Is it fixed?")
        alone=lambda i: i.status == IncidentStatus.CLOSED or bool(i.satisfaction),
    ),
    CallAction(
        "triage",
        forms.TriageForm,
        "incidents.triage",
        _triage,
        _("Triage"),
        _("Save"),
        _("Triaged."),
        initial=lambda i, u: {
            "version": i.version,
            "category": i.category_id,
            "impact": i.impact,
            "location": i.location_id,
            "urgency": i.urgency,
            "is_restricted": i.is_restricted,
        },
        form_kwargs=lambda i, u: {"incident": i},
        opens=lambda i, failed: not failed and i.status == IncidentStatus.NEW,
    ),
    CallAction(
        "assign",
        forms.AssignForm,
        "incidents.assign",
        lambda i, u, d: services.incident_assign(
            incident=i,
            by=u,
            version=d["version"],
            technician=d["technician"],
            next_visit=d["next_visit"],
            note=d["note"],
        ),
        _("Forward to first-level support"),
        _("Save"),
        _("Forwarded to first-level support."),
        initial=lambda i, u: {"version": i.version, "technician": i.assigned_to_id, "next_visit": i.for_next_visit},
        form_kwargs=lambda i, u: {"incident": i},
    ),
    CallAction(
        "escalate",
        forms.EscalateForm,
        "incidents.escalate",
        lambda i, u, d: services.incident_escalate(
            incident=i, by=u, version=d["version"], supplier=d["supplier"], reference=d["reference"], note=d["note"]
        ),
        _("Escalate to a second-level provider"),
        _("Save"),
        _("Escalated to the second-level provider."),
        initial=lambda i, u: {"version": i.version, "supplier": i.supplier_id, "reference": i.supplier_reference},
        form_kwargs=lambda i, u: {"incident": i},
    ),
    CallAction(
        "reply",
        forms.ReplyForm,
        "incidents.reply",
        lambda i, u, d: services.incident_reply(
            incident=i,
            by=u,
            body=d["body"],
            is_public=d["is_public"],
            minutes_spent=d["minutes_spent"] or 0,
            files=[d["attachment"]] if d.get("attachment") else (),
        ),
        _("Add an update"),
        _("Send"),
        _("Update added."),
        initial=lambda i, u: {"is_public": True},
        fields_template="incidents/actions/reply_fields.html",
        after_template="incidents/actions/reply_dialog.html",
        opens=lambda i, failed: not failed,
    ),
    CallAction(
        "chase",
        forms.ChaseForm,
        "incidents.chase",
        lambda i, u, d: services.incident_chase(incident=i, by=u, note=d["note"]),
        _("Record a chase"),
        _("Save"),
        _("Chase recorded."),
    ),
    CallAction(
        "supplier_times",
        forms.SupplierTimesForm,
        "incidents.supplier_times",
        lambda i, u, d: services.incident_record_supplier_times(
            incident=i, by=u, version=d["version"], responded_at=d["responded_at"], fixed_at=d["fixed_at"]
        ),
        _("When the supplier responded and fixed it"),
        _("Save"),
        _("The supplier's times are recorded."),
        initial=lambda i, u: {
            "version": i.version,
            "responded_at": i.supplier_responded_at,
            "fixed_at": i.supplier_fixed_at,
        },
    ),
    CallAction(
        "wait",
        forms.WaitForm,
        "incidents.wait",
        lambda i, u, d: services.incident_wait(incident=i, by=u, version=d["version"], on=d["on"], note=d["note"]),
        _("Wait on the reporter or supplier"),
        _("Save"),
        _("The SLA clock is paused while we wait."),
        initial=_versioned,
    ),
    CallAction(
        "resume",
        forms.ResumeForm,
        "incidents.resume",
        lambda i, u, d: services.incident_resume(incident=i, by=u, version=d["version"], note=d["note"]),
        _("Start the clock again"),
        _("Save"),
        _("The SLA clock is running again."),
        initial=_versioned,
    ),
    CallAction(
        "resolve",
        forms.ResolveForm,
        "incidents.resolve",
        lambda i, u, d: services.incident_resolve(
            incident=i,
            by=u,
            version=d["version"],
            resolution=d["resolution"],
            is_workaround=d["is_workaround"],
            minutes_spent=d["minutes_spent"] or 0,
        ),
        _("Resolve"),
        _("Save"),
        _("Resolved. The reporter has been asked to confirm."),
        initial=_versioned,
    ),
    CallAction(
        "reopen",
        forms.ReopenForm,
        "incidents.reopen",
        lambda i, u, d: services.incident_reopen(incident=i, by=u, reason=d["reason"]),
        _("Not fixed? Reopen"),
        _("Save"),
        _("Reopened."),
    ),
    CallAction(
        "duplicate",
        forms.DuplicateForm,
        "incidents.mark_duplicate",
        lambda i, u, d: services.incident_mark_duplicate(
            incident=i, by=u, version=d["version"], original=d["original"]
        ),
        _("Mark as a duplicate"),
        _("Save"),
        _("Linked as a duplicate."),
        initial=_versioned,
        form_kwargs=lambda i, u: {"incident": i, "user": u},
    ),
    CallAction(
        "cancel",
        forms.CancelForm,
        "incidents.cancel",
        lambda i, u, d: services.incident_cancel(incident=i, by=u, version=d["version"], reason=d["reason"]),
        _("Cancel the call"),
        _("Cancel the call"),
        _("Cancelled."),
        initial=_versioned,
        button_class="btn-outline-danger",
    ),
)
ACTIONS: dict[str, CallAction] = {action.name: action for action in CALL_ACTIONS}


def offers_for(incident: Incident, user: User, bound: tuple[str, Form] | None = None) -> list[Offer]:
    """The actions this person may take on this call, in the page's order, with `bound` (a failed one, with what was
    typed) in its place."""
    failed, bound_form = bound if bound is not None else (None, None)
    offers = []
    for action in CALL_ACTIONS:
        if action.name == failed:
            form = bound_form
        elif action.offered(incident, user):
            form = action.form(incident, user)
        else:
            continue
        offers.append(Offer(action, form, action.name == failed or action.opens(incident, failed)))
    return offers
