"""Bulk actions on the calls ticked in a list (the call list and the triage queue).

Each action is applied through the ordinary incident services one call at a time, each in its own transaction,
so the permission checks, the timeline and the emails are exactly those of the call page; a call a service
refuses is reported with its reason and the others still go through.

BULK_ACTIONS is the list the picker offers, in order. Another app adds its own with `register(BulkAction(...))`
from its AppConfig.ready(): its `fields` name fields of incidents.forms.BulkForm, or fields the app adds to
`BulkForm.extra_fields` (name -> form field); its `rule` names the rule (schooldesk/permissions/rules.py) that
decides whether a person is offered it (asked of no call: in some school); its `apply(incident, by, data)` gets the
form's cleaned data, calls the app's service for that one call and raises what the service raises to refuse it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from schooldesk.core.exceptions import ConflictError
from schooldesk.core.permissions import can
from schooldesk.incidents import services
from schooldesk.incidents.models import Category
from schooldesk.problems.services import problem_incidents_link

#: how many calls one submission may change
MAX_CALLS = 100


@dataclass(frozen=True)
class BulkAction:
    name: str
    label: object  # what the picker says: "Resolve with one note"
    done: Callable[[int], str]  # "3 resolved"
    apply: Callable  # apply(incident, by, data) -> None; raises what the service raises
    rule: str = "incidents.see_internal"  # who is offered it, in some school (the services decide, call by call)
    fields: tuple[str, ...] = ()  # the BulkForm fields it uses
    required: tuple[str, ...] = ()  # of those, the ones it cannot do without


BULK_ACTIONS: dict[str, BulkAction] = {}


def register(action: BulkAction) -> BulkAction:
    BULK_ACTIONS[action.name] = action
    return action


def actions_for(user) -> list[BulkAction]:
    """The actions to offer this person: those of a role they hold somewhere (a provider holds theirs through
    their supplier). Whether a given call allows it is the service's decision, call by call."""
    return [action for action in BULK_ACTIONS.values() if can(user, action.rule)]


@dataclass
class BulkResult:
    action: BulkAction
    done: list = field(default_factory=list)
    refused: list[tuple[object, str]] = field(default_factory=list)

    def summary(self) -> str:
        """ "3 resolved; INC-000012 was refused: it is resolved; reopen it first." """
        parts = [self.action.done(len(self.done))] if self.done or not self.refused else []
        for incident, reason in self.refused:
            parts.append(_("%(ref)s was refused: %(reason)s") % {"ref": incident.reference, "reason": reason})
        return "; ".join(parts)


def _reason(exc: Exception, incident) -> str:
    if isinstance(exc, ValidationError):
        text = " ".join(exc.messages)
    elif isinstance(exc, ConflictError):
        text = _("someone changed it at the same moment; try it again")
    else:
        text = str(exc) or _("you cannot do that on this call")
    text = text.removeprefix(incident.reference).strip()
    if text.startswith("is "):  # "INC-000012 is resolved; reopen it first."
        text = "it " + text
    return (text[:1].lower() + text[1:]) if text[:2] != text[:2].upper() else text


def bulk_apply(*, incidents, by, action: BulkAction, data: dict) -> BulkResult:
    """Apply `action` to each call in turn; a refusal of one does not stop the others."""
    result = BulkResult(action=action)
    for incident in incidents:
        try:
            action.apply(incident, by, data)
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            result.refused.append((incident, _reason(exc, incident)))
        else:
            result.done.append(incident)
    return result


# --- the built-in actions -----------------------------------------------------------------------
def _triage(incident, by, data):
    category = incident.category
    if data.get("category"):  # chosen by name: each school has its own "Printing and copying"
        category = Category.objects.filter(
            school_id=incident.school_id, name=data["category"], is_archived=False
        ).first()
        if category is None:
            raise ValidationError(_("its school has no category “%(name)s”") % {"name": data["category"]})
    services.incident_triage(
        incident=incident,
        by=by,
        version=incident.version,
        category=category,
        impact=data.get("impact") or incident.impact,
        urgency=data.get("urgency") or incident.urgency,
    )


def _forward(incident, by, data):
    services.incident_assign(
        incident=incident,
        by=by,
        version=incident.version,
        technician=data.get("technician"),
        next_visit=bool(data.get("next_visit")),
        note=data.get("note", ""),
    )


def _escalate(incident, by, data):
    services.incident_escalate(
        incident=incident, by=by, version=incident.version, supplier=data["supplier"], note=data.get("note", "")
    )


def _wait(incident, by, data):
    services.incident_wait(
        incident=incident, by=by, version=incident.version, on=data.get("on") or "reporter", note=data.get("note", "")
    )


def _resolve(incident, by, data):
    services.incident_resolve(incident=incident, by=by, version=incident.version, resolution=data["note"])


def _link_problem(incident, by, data):
    problem = data["problem"]
    if problem.school_id != incident.school_id:
        raise ValidationError(_("%(prb)s belongs to another school") % {"prb": problem.reference})
    problem_incidents_link(problem=problem, by=by, incidents=[incident])


register(
    BulkAction(
        "triage",
        gettext_lazy("Triage: category, impact, urgency"),
        lambda n: ngettext("%(n)s triaged", "%(n)s triaged", n) % {"n": n},
        _triage,
        rule="incidents.triage",
        fields=("category", "impact", "urgency"),
    )
)
register(
    BulkAction(
        "forward",
        gettext_lazy("Forward to first-level support"),
        lambda n: ngettext("%(n)s forwarded", "%(n)s forwarded", n) % {"n": n},
        _forward,
        rule="incidents.assign",
        fields=("technician", "next_visit", "note"),
    )
)
register(
    BulkAction(
        "escalate",
        gettext_lazy("Escalate to a supplier"),
        lambda n: ngettext("%(n)s escalated", "%(n)s escalated", n) % {"n": n},
        _escalate,
        rule="incidents.escalate",
        fields=("supplier", "note"),
        required=("supplier",),
    )
)
register(
    BulkAction(
        "wait",
        gettext_lazy("Wait on the reporter or supplier"),
        lambda n: ngettext("%(n)s waiting", "%(n)s waiting", n) % {"n": n},
        _wait,
        rule="incidents.wait",
        fields=("on", "note"),
    )
)
register(
    BulkAction(
        "resolve",
        gettext_lazy("Resolve with one note"),
        lambda n: ngettext("%(n)s resolved", "%(n)s resolved", n) % {"n": n},
        _resolve,
        rule="incidents.resolve",
        fields=("note",),
        required=("note",),
    )
)
register(
    BulkAction(
        "problem",
        gettext_lazy("Link to a problem"),
        lambda n: ngettext("%(n)s linked to the problem", "%(n)s linked to the problem", n) % {"n": n},
        _link_problem,
        rule="incidents.bulk_link",
        fields=("problem",),
        required=("problem",),
    )
)
