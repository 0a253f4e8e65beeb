"""Reads of the procedures: current ones for everyone in school, proposals and history for the desk."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from schooldesk.core.access import access_for
from schooldesk.core.permissions import can
from schooldesk.procedures.choices import PROPOSE_ROLES, VersionStatus
from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.schools.models import School

if TYPE_CHECKING:
    from schooldesk.accounts.models import User


def procedure_list(*, user: User) -> QuerySet[Procedure]:
    """The procedures a person may read: those in force in their schools, and for the desk the proposed ones too."""
    desk = access_for(user).school_ids(PROPOSE_ROLES)
    pending = ProcedureVersion.objects.filter(procedure=OuterRef("pk"), status=VersionStatus.PROPOSED)
    procedures = Procedure.objects.visible_to(user).select_related("school", "current_version__decided_by")
    procedures = procedures.annotate(has_proposal=Exists(pending))
    return procedures.filter(Q(current_version__isnull=False) | Q(school_id__in=desk))


def procedure_get(*, user: User, pk: int) -> Procedure:
    return procedure_list(user=user).get(pk=pk)


def procedure_history(*, user: User, procedure: Procedure) -> list[ProcedureVersion]:
    """Every version with who proposed and who authorised it and when; proposals only for the desk."""
    versions = procedure.versions.select_related("proposed_by", "decided_by")
    if not can(user, "procedures.propose", procedure):
        versions = versions.filter(status__in=(VersionStatus.CURRENT, VersionStatus.SUPERSEDED))
    return list(versions)


def proposals_waiting(*, user: User) -> QuerySet[ProcedureVersion]:
    """For the ICT owner and the SPOC: proposals awaiting a decision."""
    return (
        ProcedureVersion.objects.filter(
            access_for(user).schools_q(PROPOSE_ROLES, field="procedure__school_id"), status=VersionStatus.PROPOSED
        )
        .select_related("procedure__school", "proposed_by")
        .order_by("created_at")
    )


# --- what a proposal changes -----------------------------------------------------------------------------------------

#: below this share of words in common, a changed line reads better as one line removed and one added
_SAME_LINE = 0.4
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class DiffLine:
    """One line of the merged text: `kind` is same, added, removed or changed; `parts` are (same|added|removed, text)
    runs of words, for a changed line."""

    kind: str
    text: str = ""
    parts: tuple = ()


def proposing_school_ids(*, user: User) -> list[int]:
    """The schools whose procedures this person proposes: the choices of a new procedure's school."""
    return access_for(user).school_ids(PROPOSE_ROLES)


def proposing_schools(*, user: User) -> QuerySet[School]:
    return School.objects.filter(pk__in=proposing_school_ids(user=user))


def starter_schools(*, user: User) -> QuerySet[School]:
    """The schools this person proposes for that have no procedure yet: offered the starting set."""
    desk_ids = proposing_school_ids(user=user)
    with_procedures = Procedure.objects.filter(school_id__in=desk_ids).values("school_id")
    return School.objects.filter(pk__in=desk_ids).exclude(pk__in=with_procedures)


def _word_parts(old: str, new: str) -> tuple[tuple[str, str], ...] | None:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    words = difflib.SequenceMatcher(
        None, [w for w in a if not w.isspace()], [w for w in b if not w.isspace()], autojunk=False
    )
    if words.ratio() < _SAME_LINE:
        return None
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts: list[list[str]] = []

    def add(kind, words):
        if not words:
            return
        if parts and parts[-1][0] == kind:
            parts[-1][1] += "".join(words)
        else:
            parts.append([kind, "".join(words)])

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", a[i1:i2])
        else:
            add("removed", a[i1:i2])
            add("added", b[j1:j2])
    return tuple((kind, text) for kind, text in parts)


def text_diff(old: str, new: str) -> list[DiffLine]:
    """The new text line by line with what changed from the old marked: whole lines added or removed, and within a
    line that was edited, the words. Plain data: the template escapes every piece."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", line) for line in a[i1:i2]]
            continue
        removed, added = a[i1:i2], b[j1:j2]
        for k in range(max(len(removed), len(added))):
            before = removed[k] if k < len(removed) else None
            after = added[k] if k < len(added) else None
            parts = _word_parts(before, after) if before and after else None
            if parts is not None:
                lines.append(DiffLine("changed", parts=parts))
                continue
            if before is not None:
                lines.append(DiffLine("removed", before))
            if after is not None:
                lines.append(DiffLine("added", after))
    return lines


def previous_authorised(history: list[ProcedureVersion], version: ProcedureVersion) -> ProcedureVersion | None:
    """The version that was in force when `version` was proposed (numbers only grow; one proposal at a time)."""
    return next(
        (
            v
            for v in history
            if v.number < version.number and v.status in (VersionStatus.CURRENT, VersionStatus.SUPERSEDED)
        ),
        None,
    )
