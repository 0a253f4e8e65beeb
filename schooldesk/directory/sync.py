"""One sync: what the directory says, set against what the desk holds, written as a report (docs/decisions/0034).

- A person or pupil is found by their id in the directory (a Link), then by email (staff) or MIS id (pupils).
- A field is changed only while the desk's value is still the one last read from the directory: a value a person
  changed on the desk is left alone, and the report says so.
- Roles come from the mapping; only roles the sync gave are ever taken away.
- Leavers (gone from the directory, or disabled or suspended there) are deactivated, never deleted.
- Rooms are only offered: nothing becomes a location without a person choosing it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from schooldesk.accounts.models import Membership, Pupil
from schooldesk.core.audit import audit_record
from schooldesk.directory import mapping
from schooldesk.directory.choices import ChangeKind, Subject
from schooldesk.directory.clients import Directory, Person, PupilRecord
from schooldesk.directory.models import Change, Connection, Link, Room, Run

STAFF_FIELDS = ("first_name", "last_name", "email", "job_title")
PUPIL_FIELDS = ("first_name", "last_name", "year_group", "form")
LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "job_title": "job title",
    "year_group": "year group",
    "form": "class",
    "is_active": "active",
}


class Report:
    def __init__(self, run: Run):
        self.run, self.rows = run, []

    def add(self, kind, subject, label, *, fields=None, reason=""):
        self.rows.append(
            Change(
                run=self.run,
                kind=kind,
                subject=subject,
                label=str(label)[:200],
                fields=fields or {},
                reason=reason[:300],
            )
        )
        counter = {
            ChangeKind.ADDED: "added",
            ChangeKind.CHANGED: "changed",
            ChangeKind.LEFT_ALONE: "left_alone",
            ChangeKind.DEACTIVATED: "deactivated",
        }.get(kind)
        if counter:
            setattr(self.run, counter, getattr(self.run, counter) + 1)


def reconcile(obj, record_values: dict, synced: dict, fields) -> tuple[dict, dict]:
    """Set the fields of `obj` the desk has not changed by hand. Returns ({field: [old, new]} changed,
    {field: [desk's, directory's]} left alone) and updates `synced` to the directory's values."""
    changed, kept = {}, {}
    for name in fields:
        new = record_values[name] or ""
        current = getattr(obj, name) or ""
        if current == new:
            synced[name] = new
            continue
        base = synced.get(name)
        if (base is None and not current) or (base is not None and current == base):
            changed[name] = [current, new]
            setattr(obj, name, new)
        else:
            kept[name] = [current, new]
        synced[name] = new
    return changed, kept


def _named(values: dict) -> dict:
    return {LABELS.get(k, k): v for k, v in values.items()}


class Sync:
    def __init__(self, connection: Connection, run: Run, by):
        self.connection, self.run, self.by = connection, run, by
        self.report = Report(run)
        self.rules = mapping.parse(
            connection.role_mapping, school=connection.school, organisation=connection.organisation
        )
        self.links = {link.provider_id: link for link in connection.links.select_related("user", "pupil")}

    def mapping_keys(self) -> set[str]:
        return {rule.key for rule in self.rules}

    # --- staff ------------------------------------------------------------------------------------------------
    def staff(self, people: list[Person]) -> None:
        user_model = get_user_model()
        seen = set()
        by_email = {}
        emails = {p.email for p in people if p.email}
        if emails:
            by_email = {
                u.email_lower: u
                for u in user_model.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
            }
        for person in people:
            seen.add(person.id)
            roles = mapping.roles_for(self.rules, person.keys)
            link = self.links.get(person.id)
            if link is None or link.user is None:
                if not person.enabled or not roles:
                    continue  # never added: disabled, or in no mapped group
                user = by_email.get(person.email) if person.email else None
                link = link or Link(connection=self.connection, provider_id=person.id)
                link.user = user or self._new_user(person)
                link.save()
                self.links[person.id] = link
                if user is None:
                    link.synced = {name: getattr(person, name) for name in STAFF_FIELDS}
                    self.report.add(
                        ChangeKind.ADDED,
                        Subject.STAFF,
                        link.user,
                        fields=_named({n: ["", getattr(person, n)] for n in STAFF_FIELDS if getattr(person, n)}),
                    )
                    self._roles(link, roles)
                    link.save(update_fields=["synced", "updated_at"])
                    continue
            self._update_user(link, person, roles)
        self._leavers(seen, people)

    def _new_user(self, person: Person):
        user_model = get_user_model()
        username = base = (person.email or f"{self.connection.provider}-{person.id}")[:140]
        number = 1
        while user_model.objects.filter(username__iexact=username).exists():
            number += 1
            username = f"{base}-{number}"
        user = user_model(
            username=username,
            email=person.email,
            first_name=person.first_name[:150],
            last_name=person.last_name[:150],
            job_title=person.job_title[:80],
        )
        user.set_unusable_password()  # signs in with SSO, or sets a password from a reset link
        user.save()
        return user

    def _update_user(self, link: Link, person: Person, roles) -> None:
        user, synced = link.user, dict(link.synced)
        if not person.enabled:
            self._deactivate(link, "disabled or suspended in the directory")
            return
        changed, kept = reconcile(user, {n: getattr(person, n) for n in STAFF_FIELDS}, synced, STAFF_FIELDS)
        if not user.is_active and synced.get("deactivated"):
            user.is_active = True
            changed["is_active"] = [False, True]
            synced.pop("deactivated")
        if changed:
            user.save()
            self.report.add(ChangeKind.CHANGED, Subject.STAFF, user, fields=_named(changed))
        if kept:
            self.report.add(
                ChangeKind.LEFT_ALONE,
                Subject.STAFF,
                user,
                fields=_named(kept),
                reason="changed by hand on the desk: the desk's value is kept",
            )
        link.synced = synced
        self._roles(link, roles)
        link.save(update_fields=["synced", "updated_at"])

    def _roles(self, link: Link, wanted: set[tuple[str, int]]) -> None:
        """Give the mapped roles the person lacks; take away those the sync gave that the mapping no longer does."""
        user = link.user
        given = set(link.synced.get("roles", []))
        held = set(Membership.objects.filter(user=user, school__isnull=False).values_list("role", "school_id"))
        for role, school_id in sorted(wanted - held):
            membership_grant(user=user, role=role, school_id=school_id)
            given.add(f"{role}@{school_id}")
            self.report.add(
                ChangeKind.ROLE_GRANTED,
                Subject.STAFF,
                user,
                fields={"role": role},
                reason="from the directory's groups",
            )
        for entry in sorted(given):
            role, _at, school_id = entry.partition("@")
            if (role, int(school_id)) not in wanted:
                if membership_remove(user=user, role=role, school_id=int(school_id)):
                    self.report.add(
                        ChangeKind.ROLE_REMOVED,
                        Subject.STAFF,
                        user,
                        fields={"role": role},
                        reason="no longer in a group that gives it",
                    )
                given.discard(entry)
        link.synced["roles"] = sorted(given)

    def _deactivate(self, link: Link, why: str) -> None:
        user = link.user
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            link.synced["deactivated"] = True
            link.save(update_fields=["synced", "updated_at"])
            self.report.add(ChangeKind.DEACTIVATED, Subject.STAFF, user, reason=why)
            audit_record(
                actor=self.by,
                school=self.connection.school,
                organisation=self.connection.organisation,
                action="deactivate",
                obj=user,
                summary=f"{user.username} deactivated by directory sync: {why}",
            )

    def _leavers(self, seen: set[str], people: list[Person]) -> None:
        gone = [link for pid, link in self.links.items() if link.user_id and pid not in seen]
        if gone and not people:  # an empty answer is a fault more often than a school with no staff
            self.report.add(
                ChangeKind.LEFT_ALONE,
                Subject.STAFF,
                f"{len(gone)} people",
                reason="the directory listed no one: nobody was deactivated",
            )
            return
        for link in gone:
            self._deactivate(link, "no longer in the directory")

    # --- pupils -----------------------------------------------------------------------------------------------
    def pupils(self, records: list[PupilRecord]) -> None:
        school = self.connection.school
        existing = {p.mis_id: p for p in Pupil.objects.filter(school=school).exclude(mis_id="")}
        seen = set()
        for record in records:
            seen.add(record.id)
            link = self.links.get(record.id)
            values = {n: getattr(record, n) for n in PUPIL_FIELDS}
            pupil = link.pupil if link and link.pupil_id else existing.get(record.id)
            if pupil is None:
                pupil = Pupil.objects.create(school=school, mis_id=record.id, **values)
                link = Link.objects.create(
                    connection=self.connection, provider_id=record.id, pupil=pupil, synced=values
                )
                self.links[record.id] = link
                self.report.add(
                    ChangeKind.ADDED, Subject.PUPIL, pupil, fields=_named({n: ["", v] for n, v in values.items() if v})
                )
                continue
            if link is None:
                link = Link.objects.create(connection=self.connection, provider_id=record.id, pupil=pupil)
                self.links[record.id] = link
            synced = dict(link.synced)
            changed, kept = reconcile(pupil, values, synced, PUPIL_FIELDS)
            if not pupil.is_active:
                pupil.is_active = True
                changed["is_active"] = [False, True]
            if changed:
                pupil.version += 1  # an edit page opened before the sync is told (core/concurrency.py)
                pupil.save()
                self.report.add(ChangeKind.CHANGED, Subject.PUPIL, pupil, fields=_named(changed))
            if kept:
                self.report.add(
                    ChangeKind.LEFT_ALONE,
                    Subject.PUPIL,
                    pupil,
                    fields=_named(kept),
                    reason="changed by hand on the desk: the desk's value is kept",
                )
            link.synced = synced
            link.save(update_fields=["synced", "updated_at"])
        leavers = [p for mis_id, p in existing.items() if mis_id not in seen and p.is_active]
        if leavers and not records:
            self.report.add(
                ChangeKind.LEFT_ALONE,
                Subject.PUPIL,
                f"{len(leavers)} pupils",
                reason="the MIS listed no pupils: nobody was taken off roll",
            )
            return
        for pupil in leavers:
            pupil.is_active = False
            pupil.version += 1
            pupil.save(update_fields=["is_active", "version", "updated_at"])
            self.report.add(ChangeKind.DEACTIVATED, Subject.PUPIL, pupil, reason="no longer on roll in the MIS")

    def rooms(self, records) -> None:
        Room.objects.bulk_create([Room(run=self.run, provider_id=r.id, name=r.name) for r in records if r.name])

    def apply(self, directory: Directory) -> None:
        with transaction.atomic():
            self.staff(directory.people)
            if directory.pupils is not None and self.connection.school_id:
                self.pupils(directory.pupils)
            if directory.rooms is not None and self.connection.school_id:
                self.rooms(directory.rooms)
            Change.objects.bulk_create(self.report.rows)


# --- roles: minimal writes of this app's own (the `people` branch adds role services to accounts/services.py; the
# merger should route these two through them). Membership's signal writes the audit entry of each.
def membership_grant(*, user, role: str, school_id: int) -> Membership:
    membership, _created = Membership.objects.get_or_create(user=user, school_id=school_id, role=role)
    return membership


def membership_remove(*, user, role: str, school_id: int) -> bool:
    removed = False
    for membership in Membership.objects.filter(user=user, school_id=school_id, role=role):
        membership.delete()  # one by one, so that the signal audits each
        removed = True
    return removed
