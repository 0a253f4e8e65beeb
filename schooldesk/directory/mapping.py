"""The ICT owner's mapping from a directory's groups or organisational units to the desk's roles, one line each:

Teachers = reporter
/Staff/Office = spoc
IT = technician @ 123456      (an organisation's connection: the school's DfE URN)
* = reporter                  (everyone the directory lists; the only key for Wonde's staff)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from schooldesk.core.roles import Role
from schooldesk.schools.models import School

#: roles a directory may give: never the ICT owner's, a provider's (a supplier's) or the restricted lane's
SYNCED_ROLES = (Role.REPORTER, Role.SPOC, Role.TECHNICIAN, Role.VIEWER)


@dataclass(frozen=True)
class Rule:
    key: str
    role: str
    school_id: int


def _role(word: str) -> str | None:
    word = word.strip().lower()
    for role in SYNCED_ROLES:
        if word in (role.value, str(role.label).lower()):
            return role.value
    return None


def parse(text: str, *, school=None, organisation=None) -> list[Rule]:
    """The rules of `text`, or ValidationError naming every bad line by its number."""
    rules, errors = [], []
    urns = dict(School.objects.filter(organisation=organisation).values_list("urn", "pk")) if organisation else {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, rest = line.partition("=")
        role_text, at, urn = rest.partition("@")
        role = _role(role_text)
        if not sep or not key.strip() or role is None:
            errors.append(
                _("Line %(n)d: write the group, then = and one of the roles %(roles)s.")
                % {"n": number, "roles": ", ".join(r.value for r in SYNCED_ROLES)}
            )
            continue
        if organisation is not None:
            school_id = urns.get(urn.strip()) if at else None
            if school_id is None:
                errors.append(
                    _("Line %(n)d: add @ and the DfE URN of one of the organisation's schools.") % {"n": number}
                )
                continue
        else:
            if at:
                errors.append(
                    _("Line %(n)d: a school's connection gives roles in its own school: remove the @ part.")
                    % {"n": number}
                )
                continue
            school_id = school.pk
        rules.append(Rule(key=key.strip(), role=role, school_id=school_id))
    if errors:
        raise ValidationError({"role_mapping": errors})
    return rules


def roles_for(rules: list[Rule], keys: set[str]) -> set[tuple[str, int]]:
    """The (role, school id) pairs a person with these groups or units is given."""
    lowered = {k.lower() for k in keys}
    return {(rule.role, rule.school_id) for rule in rules if rule.key.lower() in lowered}
