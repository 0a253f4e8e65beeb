from schooldesk.core.models import AuditEntry


def audit_record(*, actor, school, action: str, obj, summary: str, changes: dict | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        school=school,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        summary=summary[:300],
        changes=changes or {},
    )
