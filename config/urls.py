from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("schooldesk.core.urls")),
    path("accounts/", include("schooldesk.accounts.urls")),
    path("schools/", include("schooldesk.schools.urls")),
    path("locations/", include("schooldesk.locations.urls")),
    path("suppliers/", include("schooldesk.suppliers.urls")),
    path("incidents/", include("schooldesk.incidents.urls")),
    path("reports/", include("schooldesk.reports.urls")),
    path("assets/", include("schooldesk.assets.urls")),
    path("licences/", include("schooldesk.licences.urls")),
    path("diary/", include("schooldesk.diary.urls")),
    path("mail/", include("schooldesk.mail.urls")),
    path("problems/", include("schooldesk.problems.urls")),
    path("changes/", include("schooldesk.changes.urls")),
    path("procedures/", include("schooldesk.procedures.urls")),
    path("budgets/", include("schooldesk.budgets.urls")),
    path("safeguarding/", include("schooldesk.safeguarding.urls")),
    path("replies/", include("schooldesk.replies.urls")),
    path("outages/", include("schooldesk.outages.urls")),
    path("standards/", include("schooldesk.standards.urls")),
    path("privacy/", include("schooldesk.privacy.urls")),
    path("webhooks/", include("schooldesk.webhooks.urls")),
    path("loans/", include("schooldesk.loans.urls")),
    # apps: one line per domain app, above this comment
    path("api/v1/", include("config.api_urls")),
    # The Django admin only where SCHOOLDESK_ADMIN_PATH puts it (none in production unless set): below.
]
if settings.SCHOOLDESK_ADMIN_PATH:
    urlpatterns.append(path(f"{settings.SCHOOLDESK_ADMIN_PATH}/", admin.site.urls))
