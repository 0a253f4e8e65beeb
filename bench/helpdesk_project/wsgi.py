"""WSGI entry point for gunicorn: `bench.helpdesk_project.wsgi:application`, run from the repository root."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.helpdesk_project.settings")

application = get_wsgi_application()
