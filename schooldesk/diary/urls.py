from django.contrib.auth.decorators import login_not_required
from django.urls import path

from schooldesk.diary import views

app_name = "diary"
urlpatterns = [
    path("", views.DiaryCalendarView.as_view(view="month"), name="month"),
    path("week/", views.DiaryCalendarView.as_view(view="week"), name="week"),
    path("agenda/", views.AgendaView.as_view(), name="agenda"),
    path("new/", views.EntryEditView.as_view(), name="entry_create"),
    path("<int:pk>/", views.EntryDetailView.as_view(), name="entry_detail"),
    path("<int:pk>/edit/", views.EntryEditView.as_view(), name="entry_update"),
    path("<int:pk>/delete/", views.EntryDeleteView.as_view(), name="entry_delete"),
    path("<int:pk>/sheet/", views.VisitSheetView.as_view(), name="visit_sheet"),
    path("<int:pk>/sheet/calls/<int:call_pk>/", views.VisitRecordView.as_view(), name="visit_record"),
    path("<int:pk>/sheet/complete/", views.VisitCompleteView.as_view(), name="visit_complete"),
    path("feed/", views.FeedView.as_view(), name="feed"),
    path("feed/reset/", views.FeedResetView.as_view(), name="feed_reset"),
    # Public by design: calendar apps cannot sign in; the secret token in the address is the key.
    path("feed/<int:user_pk>/<str:token>.ics", login_not_required(views.FeedIcsView.as_view()), name="feed_ics"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("payments/new/", views.PaymentEditView.as_view(), name="payment_create"),
    path("payments/<int:payment_pk>/edit/", views.PaymentEditView.as_view(), name="payment_update"),
    path("payments/<int:payment_pk>/paid/", views.PaymentPaidView.as_view(), name="payment_paid"),
    path("payments/<int:payment_pk>/delete/", views.PaymentDeleteView.as_view(), name="payment_delete"),
    path("payments/schedule/<int:contract_pk>/", views.PaymentScheduleView.as_view(), name="payment_schedule"),
]
