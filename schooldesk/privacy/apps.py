from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "schooldesk.privacy"
    verbose_name = _("Data protection")

    def ready(self):
        from schooldesk.core.audit import keep_on_own_schedule
        from schooldesk.privacy.models import RetentionPolicy

        # a school whose DPO runs its own retention schedule prunes its own trail (docs/decisions/0024, 0037)
        keep_on_own_schedule(lambda: RetentionPolicy.objects.filter(is_enabled=True).values("school_id"))
