"""Reads of the procedures: current ones for everyone in school, proposals and history for the desk."""

from django.db.models import Exists, OuterRef, Q

from schooldesk.accounts.access import access_for
from schooldesk.procedures.choices import PROPOSE_ROLES, VersionStatus
from schooldesk.procedures.models import Procedure, ProcedureVersion


def procedure_list(user):
    """The procedures a person may read: those in force in their schools, and for the desk the proposed ones too."""
    desk = access_for(user).school_ids(PROPOSE_ROLES)
    pending = ProcedureVersion.objects.filter(procedure=OuterRef("pk"), status=VersionStatus.PROPOSED)
    procedures = Procedure.objects.visible_to(user).select_related("school", "current_version__decided_by")
    procedures = procedures.annotate(has_proposal=Exists(pending))
    return procedures.filter(Q(current_version__isnull=False) | Q(school_id__in=desk))


def procedure_get(user, pk: int) -> Procedure:
    return procedure_list(user).get(pk=pk)


def procedure_history(user, procedure: Procedure) -> list[ProcedureVersion]:
    """Every version with who proposed and who authorised it and when; proposals only for the desk."""
    versions = procedure.versions.select_related("proposed_by", "decided_by")
    if not access_for(user).has_role(procedure.school_id, PROPOSE_ROLES):
        versions = versions.filter(status__in=(VersionStatus.CURRENT, VersionStatus.SUPERSEDED))
    return list(versions)


def proposals_waiting(user):
    """For the ICT owner and the SPOC: proposals awaiting a decision."""
    return (ProcedureVersion.objects.filter(access_for(user).schools_q(PROPOSE_ROLES, field="procedure__school_id"),
                                            status=VersionStatus.PROPOSED)
            .select_related("procedure__school", "proposed_by").order_by("created_at"))
