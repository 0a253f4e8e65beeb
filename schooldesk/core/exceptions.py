from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """Somebody else changed the record after this user opened it."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "Someone else changed this call after you opened it. Your changes were not saved: "
            "check the latest version below and try again."
        )
