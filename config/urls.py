from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("schooldesk.core.urls")),
    path("", include("schooldesk.reports.urls_desk")),  # the home page and the search
    path("accounts/", include("schooldesk.accounts.urls")),
    path("schools/", include("schooldesk.schools.urls")),
    path("locations/", include("schooldesk.locations.urls")),
    path("suppliers/", include("schooldesk.suppliers.urls")),
    path("incidents/", include("schooldesk.incidents.urls")),
    path("reports/", include("schooldesk.reports.urls")),
    path("assets/", include("schooldesk.assets.urls")),
    path("loans/", include("schooldesk.loans.urls")),
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
    path("directory/", include("schooldesk.directory.urls")),
    path("devicesync/", include("schooldesk.devicesync.urls")),
    # apps: one line per domain app, above this comment
    path("api/v1/", include("config.api_urls")),
    # the footer's language picker, for everyone, signed in or not (decision 0035)
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The Django admin only where SCHOOLDESK_ADMIN_PATH puts it (none in production unless set): below.
]
if settings.SCHOOLDESK_ADMIN_PATH:
    urlpatterns.append(path(f"{settings.SCHOOLDESK_ADMIN_PATH}/", admin.site.urls))
