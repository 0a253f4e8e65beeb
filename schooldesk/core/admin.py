"""Django's admin, for the installation's superusers only: staff status alone opens nothing. Where it is served
(or whether at all) is SCHOOLDESK_ADMIN_PATH (config/urls.py; off in production unless set)."""

from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite


class DeskAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


class DeskAdminConfig(AdminConfig):
    default_site = "schooldesk.core.admin.DeskAdminSite"
