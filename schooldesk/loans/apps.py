from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "schooldesk.loans"
    label = "loans"
    verbose_name = _("Device loans")

    def ready(self):
        from schooldesk.assets.lending import Lending, register
        from schooldesk.incidents.signals import incident_resolved
        from schooldesk.loans.pool import on_incident_resolved
        from schooldesk.loans.services import loan_issue, loan_take_back, loans_end

        incident_resolved.connect(on_incident_resolved, dispatch_uid="loans_swap_back_on_resolve")
        # the asset register lends through loans without importing it (assets/lending.py)
        register(Lending(issue=loan_issue, take_back=loan_take_back, end=loans_end))
