from django.contrib import admin

from schooldesk.replies.models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "school", "organisation")
