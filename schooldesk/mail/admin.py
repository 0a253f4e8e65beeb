from django.contrib import admin

from schooldesk.mail.models import SECRET_FIELDS, InboundMessage, Mailbox, OutboundMessage


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """Secrets are never shown here: change them on the mailbox settings page."""

    list_display = [
        "name",
        "address",
        "verified_at",
        "school",
        "organisation",
        "is_active",
        "last_polled_at",
        "last_error",
    ]
    exclude = SECRET_FIELDS
    readonly_fields = ["oauth_authorize_url", "oauth_token_url", "oauth_scope", "oauth_expires_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "mailbox", "from_address", "subject", "kind", "status", "incident"]
    list_filter = ["status", "kind", "mailbox"]
    search_fields = ["from_address", "subject", "message_id"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "purpose", "to_address", "subject", "status", "attempts", "incident"]
    list_filter = ["status", "purpose"]
    search_fields = ["to_address", "subject", "message_id"]
