"""Changes to canned replies. A school's replies are kept by its SPOC or ICT owner; an organisation's (shared by
all its schools) only by someone holding that role across the organisation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.permissions import require
from schooldesk.replies.choices import PLACEHOLDERS
from schooldesk.replies.models import CannedReply
from schooldesk.replies.selectors import unknown_placeholders


def _rule_for(reply: CannedReply) -> str:
    """A school's reply is the school's desk's to change; a shared one, the organisation's own (rules.py)."""
    return "replies.share" if reply.organisation_id else "replies.change"


def _validate(title: str, body: str) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the reply a short title to find it by.")
    if not body.strip():
        errors["body"] = _("Write the reply.")
    elif unknown := unknown_placeholders(body):
        errors["body"] = _("%(names)s is not a placeholder. Use: %(known)s.") % {
            "names": ", ".join(f"{{{{ {n} }}}}" for n in unknown),
            "known": ", ".join(f"{{{{ {n} }}}}" for n in PLACEHOLDERS),
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def canned_reply_create(*, by, title: str, body: str, school=None, organisation=None) -> CannedReply:
    if (school is None) == (organisation is None):
        raise ValidationError(_("A reply belongs to a school or to an organisation."))
    if organisation is not None:
        require(by, "replies.share", organisation)
    else:
        require(by, "replies.change", school)
    _validate(title, body)
    reply = CannedReply.objects.create(
        school=school, organisation=organisation, title=title.strip(), body=body.strip(), created_by=by
    )
    audit_record(actor=by, school=school, action="canned_reply.create", obj=reply, summary=reply.title)
    return reply


@transaction.atomic
def canned_reply_update(*, reply: CannedReply, by, title: str, body: str) -> CannedReply:
    require(by, _rule_for(reply), reply)
    _validate(title, body)
    changes = {
        f: [getattr(reply, f), v.strip()]
        for f, v in (("title", title), ("body", body))
        if getattr(reply, f) != v.strip()
    }
    reply.title, reply.body = title.strip(), body.strip()
    reply.save()
    audit_record(
        actor=by, school=reply.school, action="canned_reply.update", obj=reply, summary=reply.title, changes=changes
    )
    return reply


@transaction.atomic
def canned_reply_delete(*, reply: CannedReply, by) -> None:
    require(by, _rule_for(reply), reply)
    audit_record(actor=by, school=reply.school, action="canned_reply.delete", obj=reply, summary=reply.title)
    reply.delete()
