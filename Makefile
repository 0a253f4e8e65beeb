# SchoolDesk: every target sets itself up on a fresh machine (Python 3.11 and Node, nothing else).
SHELL := /bin/bash
PYTHON_BIN := $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
VENDOR := schooldesk/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup install lock run test test-postgres lint format messages deploy-check upgrade-check bench profile system-deps migrate demo clean

# Python packages come only from the lock files in requirements/, every package (direct or pulled in) at one
# version with its hashes, so two installs a month apart are the same (make lock writes them from pyproject.toml):
#   lock-dev.txt  make setup, run, test: everything, PostgreSQL's and Redis's clients and the test tools included
#   lock.txt      make install: a school's server (SQLite)
#   lock-la.txt   make install LA=1: a local authority's or trust's server (PostgreSQL, Redis)
# A venv holds one lock's packages: asking for another makes the venv anew. The front end: package-lock.json.
PY_LOCK ?= requirements/lock-dev.txt
NPM_CI_ARGS ?=
PY_STAMP := $(VENV)/.installed-$(notdir $(PY_LOCK))
NPM_STAMP := node_modules/.installed$(if $(NPM_CI_ARGS),-server)

setup: $(PY_STAMP) $(NPM_STAMP) $(VENDOR)/.copied

# A server: no test tools, no axe-core (the accessibility tests' library).
install:
	$(MAKE) setup PY_LOCK=requirements/$(if $(filter 1,$(LA)),lock-la,lock).txt NPM_CI_ARGS=--omit=dev

$(VENV)/.installed-%.txt: requirements/%.txt requirements/pip.txt pyproject.toml
	if compgen -G '$(VENV)/.installed-*' >/dev/null && ! test -e $@; then rm -rf $(VENV); fi
	test -d $(VENV) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-input --require-hashes -r requirements/pip.txt
	$(PY) -m pip install --quiet --no-input --require-hashes -r $<
	$(PY) -m pip install --quiet --no-input --no-deps --no-build-isolation -e .
	@# A pin changed in pyproject.toml but not locked (make lock) fails here, not at run time.
	$(PY) -m pip check
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error $(NPM_CI_ARGS)
	touch $@

# make lock: the lock files again from pyproject.toml and requirements/pip.in, with pip-tools in a venv of its own
# (.venv-lock). Pins already in a lock file are kept while they fit; make lock LOCK_ARGS=--upgrade takes the newest.
LOCK_VENV := .venv-lock
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
  --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON_BIN) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.6.2; }
	$(PIP_COMPILE) --all-build-deps -o requirements/lock.txt pyproject.toml
	$(PIP_COMPILE) --all-build-deps --extra la -o requirements/lock-la.txt pyproject.toml
	$(PIP_COMPILE) --all-build-deps --extra la --extra dev -o requirements/lock-dev.txt pyproject.toml
	$(PIP_COMPILE) -o requirements/pip.txt requirements/pip.in

# The minified files end with a sourceMappingURL comment naming a .map file that is not copied: the
# comment is removed, or collectstatic's hashed-name storage (SCHOOLDESK_PRODUCTION) fails on the missing map.
# axe-core (a devDependency) is copied only where npm installed it.
$(VENDOR)/.copied: $(NPM_STAMP) Makefile
	mkdir -p $(VENDOR)
	rm -f $(VENDOR)/axe.min.js
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	if [ -f node_modules/axe-core/axe.min.js ]; then cp node_modules/axe-core/axe.min.js $(VENDOR)/; fi
	sed -i -e '\%^//# sourceMappingURL=%d' -e '\%^/\*# sourceMappingURL=.*\*/$$%d' $(VENDOR)/*.js $(VENDOR)/*.css
	! grep -l 'sourceMappingURL=' $(VENDOR)/*.js $(VENDOR)/*.css
	touch $@

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo_seed --if-empty

# Serve the demo desk and the Huey worker together; Ctrl-C stops both.
# HOST and PORT go to the settings too: links in emails and the logins' "Open …" follow them (SCHOOLDESK_SITE_URL wins).
RUN_ENV := SCHOOLDESK_HOST=$(HOST) SCHOOLDESK_PORT=$(PORT)
run: demo
	@$(RUN_ENV) $(PY) manage.py demo_logins
	@echo "SchoolDesk is starting on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	@trap 'kill 0' EXIT; \
	  $(RUN_ENV) $(PY) manage.py run_huey --quiet & \
	  $(RUN_ENV) DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT) --noreload

# Debian packages the tests drive for real: Chromium for the browser journeys (Playwright cannot
# download its own browser here), Dovecot as the IMAP server for mail intake, ClamAV's clamd as the upload
# scanner (schooldesk/core/tests/clamd.py starts its own, with a test signature), and poppler's
# pdfinfo/pdftoppm to read back the PDFs (label sheets, service report) that WeasyPrint writes, and GNU gettext
# (xgettext, msgfmt) for the Welsh catalogue's check in make lint and for make messages (docs/decisions/0035).
# $(call debian_packages,command:package …,what happens without root): installs the packages whose command is missing.
define debian_packages
	@missing=""; for cmd in $(1); do \
	  command -v $${cmd%%:*} >/dev/null || test -x /usr/sbin/$${cmd%%:*} || missing="$$missing $${cmd##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "Missing$$missing and no root: $(2)"; \
	  else echo "Installing$$missing from Debian's packages"; $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null; fi; fi
endef

system-deps:
	$(call debian_packages,chromium:chromium dovecot:dovecot-imapd pdfinfo:poppler-utils clamd:clamav-daemon msgfmt:gettext nginx:nginx openssl:openssl,the tests that need them will be skipped.)

test: setup system-deps
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The same suite on PostgreSQL, a fresh database on the local server (DATABASE_URL overrides): it is
# the run that proves locking and concurrency. The browser journeys ran against the same code on SQLite.
test-postgres: setup system-deps
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/schooldesk_ci} \
	  $(PY) -m pytest -n 2 --dist loadfile --create-db -m "not browser" $(PYTEST_ARGS)

# The checks CI runs: ruff, djLint's rules on the templates, the Welsh catalogue, migrations, the production
# settings, then the format of the code and the templates (ruff format, djLint: make format writes both).
lint: setup
	$(call debian_packages,xgettext:gettext msgfmt:gettext,the catalogue check cannot run.)
	$(PY) -m ruff check .
	$(PY) -m djlint schooldesk --lint
	$(PY) manage.py catalogue check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') SCHOOLDESK_PRODUCTION=1 \
	  SCHOOLDESK_SECRET_KEYS=$$($(PY) -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
	  DJANGO_ALLOWED_HOSTS=desk.example.sch.uk $(PY) manage.py check --deploy --fail-level WARNING
	@# the format last: `make format` writes it
	$(PY) -m ruff format --check .
	$(PY) -m djlint schooldesk --check --quiet

# Reformat the Python (ruff format) and the templates (djLint), as make lint checks them. djLint settles in two
# passes (its first pass leaves a few lines that its second moves), so it runs twice; it exits 1 when it changed a file.
format: setup
	$(PY) -m ruff format .
	$(PY) -m djlint schooldesk --reformat --quiet || true
	$(PY) -m djlint schooldesk --reformat --quiet || true
	$(PY) -m djlint schooldesk --check --quiet

# The Welsh catalogue again from the code: new strings added untranslated to locale/cy/LC_MESSAGES/django.po,
# and the .mo compiled; translate the empty msgstr, run it again, commit both files (docs/decisions/0035).
messages: setup
	$(call debian_packages,xgettext:gettext msgfmt:gettext,make messages cannot run.)
	$(PY) manage.py catalogue update

# The production configuration as the README's Deployment section builds it, started behind Debian's nginx with
# TLS on loopback ports and loaded as each role meets it (deploy/check.sh, deploy/check.py); about a minute.
deploy-check: setup
	$(call debian_packages,nginx:nginx openssl:openssl,deploy-check cannot run.)
	deploy/check.sh

# A desk made by an earlier release (FROM, a tag: v0.1.0 by default) with its demo data, migrated to this code,
# every demo login signing in and loading the pages its home page links to (deploy/upgrade_check.sh); about a minute.
FROM ?= v0.1.0
upgrade-check: setup
	deploy/upgrade_check.sh $(FROM)

bench: setup
	$(PY) -m bench.run

# Where each page's time goes (bench/profile.py): cProfile over the test client on the bench's database (built as
# make bench builds it, reused when there), written into docs/benchmarks.md's "Where the time goes"; a few minutes.
profile: setup
	$(PY) -m bench.profile

clean:
	rm -rf $(VENV) $(LOCK_VENV) node_modules $(VENDOR) var
