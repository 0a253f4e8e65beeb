from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from schooldesk.accounts.api_people import MembershipViewSet, PersonViewSet
from schooldesk.assets.api import AssetTypeViewSet, AssetViewSet
from schooldesk.budgets.api import BudgetViewSet
from schooldesk.changes.api import ChangeViewSet, MilestoneViewSet
from schooldesk.diary.api import DiaryEntryViewSet, PaymentViewSet
from schooldesk.incidents.api import IncidentViewSet
from schooldesk.licences.api import AllocationViewSet, InstallationViewSet, LicenceViewSet
from schooldesk.loans.api import ChargeViewSet, LoanViewSet, PupilViewSet
from schooldesk.locations.api import LocationViewSet
from schooldesk.problems.api import KnownErrorViewSet, ProblemViewSet
from schooldesk.procedures.api import ProcedureViewSet
from schooldesk.reports.api import ServiceReportApiView
from schooldesk.suppliers.api import ContactViewSet, ContractViewSet, SupplierViewSet

router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("locations", LocationViewSet, basename="location")
router.register("assets", AssetViewSet, basename="asset")
router.register("asset-types", AssetTypeViewSet, basename="asset-type")
router.register("loans", LoanViewSet, basename="loan")
router.register("pupils", PupilViewSet, basename="pupil")
router.register("loan-charges", ChargeViewSet, basename="loan-charge")
router.register("licences", LicenceViewSet, basename="licence")
router.register("licence-allocations", AllocationViewSet, basename="allocation")
router.register("licence-installations", InstallationViewSet, basename="installation")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("contacts", ContactViewSet, basename="contact")
router.register("contracts", ContractViewSet, basename="contract")
router.register("diary-entries", DiaryEntryViewSet, basename="diary-entry")
router.register("payments", PaymentViewSet, basename="payment")
router.register("budgets", BudgetViewSet, basename="budget")
router.register("problems", ProblemViewSet, basename="problem")
router.register("known-errors", KnownErrorViewSet, basename="known-error")
router.register("changes", ChangeViewSet, basename="change")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("people", PersonViewSet, basename="person")
router.register("roles", MembershipViewSet, basename="role")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI from our own static files, its start-up code in static/api-docs.js (no inline script: CSP)
    path(
        "docs/", SpectacularSwaggerView.as_view(url_name="api_schema", template_name="api/docs.html"), name="api_docs"
    ),
    path("reports/service/", ServiceReportApiView.as_view(), name="api_service_report"),
    *router.urls,
]
