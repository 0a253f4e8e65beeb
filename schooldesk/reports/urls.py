from django.urls import path

from schooldesk.reports import views

app_name = "reports"
urlpatterns = [
    path("incidents/", views.IncidentReportView.as_view(), name="incident_report"),
    path("service/", views.ServiceReportView.as_view(), name="service_report"),
    path("audit/", views.AuditTrailView.as_view(), name="audit_trail"),
    path("dashboards/", views.DashboardHomeView.as_view(), name="dashboard"),
] + [
    path(f"dashboards/{kind}/", views.DashboardView.as_view(kind=kind), name=f"dashboard_{kind}")
    for kind in ("desk", "technician", "owner", "governors", "schools")
]
