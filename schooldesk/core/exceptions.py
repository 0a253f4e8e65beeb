from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """Somebody else changed the record after this user opened it.

    `current_version` is the record's version now: the shared view layer (`core.views.apply_service`) puts it
    into the re-rendered form, so the person, having read the message, can save what they typed over it."""

    def __init__(self, message: str | None = None, *, current_version: int | None = None):
        super().__init__(
            message
            or "Someone else changed this call after you opened it. Your changes were not saved: "
            "check the latest version below and try again."
        )
        self.current_version = current_version
