from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "schooldesk.loans"
    label = "loans"
    verbose_name = _("Device loans")

    def ready(self):
        from schooldesk.incidents.signals import incident_resolved
        from schooldesk.loans.pool import on_incident_resolved

        incident_resolved.connect(on_incident_resolved, dispatch_uid="loans_swap_back_on_resolve")
