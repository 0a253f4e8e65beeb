# gunicorn -c deploy/gunicorn.conf.py config.wsgi: what deploy/schooldesk-web.service runs (and make deploy-check).
# Where it listens and how many processes: SCHOOLDESK_WEB_BIND and SCHOOLDESK_WEB_WORKERS in /etc/schooldesk/env.
import os

bind = os.environ.get("SCHOOLDESK_WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SCHOOLDESK_WEB_WORKERS", "3"))
timeout = 30
accesslog = "-"
# The scheme behind nginx is Django's to read, and only when SCHOOLDESK_TRUSTED_PROXY=1 says so: gunicorn would
# otherwise believe X-Forwarded-Proto from any local process, whatever that setting says.
secure_scheme_headers = {}
# No control socket: it would be written to the home directory, which the service cannot write to.
control_socket_disable = True
