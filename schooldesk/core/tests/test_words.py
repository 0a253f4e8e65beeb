"""Words (docs/decisions/0035): a person picks Welsh from the footer and meets the menu and the report form in Welsh,
a page not yet translated still works in English, a service's message follows the language, and the catalogue
check in `make lint` fails when the code marks a string the Welsh catalogue lacks."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from schooldesk.core import catalogue
from schooldesk.core.tests.pages import rendered_form
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_create
from schooldesk.locations.models import Location


def pick_welsh(client, page="/"):
    """Choose Cymraeg in the footer's language form, as the page renders it."""
    action, data = rendered_form(client, page, reverse("set_language"))
    assert data["language"] == "en-gb", "English is not the language a person starts in"
    data["language"] = "cy"
    response = client.post(action, data)
    assert response.status_code == 302 and response["Location"] == page
    return client


@pytest.mark.django_db
def test_a_person_picks_welsh_and_meets_the_menu_and_the_report_form_in_welsh(cast, login):
    client = login(cast.reporter)
    english = client.get("/").content.decode()
    assert 'lang="en-gb"' in english and "Report a problem" in english and "Rhoi gwybod am broblem" not in english
    pick_welsh(client)

    home = client.get("/").content.decode()
    assert '<html lang="cy">' in home
    assert "Rhoi gwybod am broblem" in home and "Allgofnodi" in home and "Neidio i'r prif gynnwys" in home
    assert ">Report a problem</a>" not in home and "Sign out" not in home
    assert re.search(r'value="cy"\s+lang="cy"\s*selected', home), "the picker does not show the language chosen"

    form = client.get(reverse("incidents:incident_create")).content.decode()
    for welsh in (
        "Beth sydd o&#x27;i le?",
        "Ble?",
        "Anfon at y ddesg wasanaeth",
        "Nid yw rhywbeth yn gweithio",
        "Llun neu ffeil (dewisol)",
        "Ble a phryd y gellir dod o hyd i chi?",
    ):
        assert welsh in form, f"the report form lacks {welsh!r}"
    assert "Send to the service desk" not in form and "What is wrong?" not in form

    # sent as rendered, with what a person types: the thank-you is in Welsh too
    action, data = rendered_form(client, reverse("incidents:incident_create"), reverse("incidents:incident_create"))
    data.update(summary="Mae'r argraffydd wedi torri", location=Location.objects.filter(school=cast.school).first().pk)
    response = client.post(action, data, follow=True)
    incident = Incident.objects.get()
    assert f"Diolch. {incident.reference} yw eich galwad" in response.content.decode()


@pytest.mark.django_db
def test_a_page_not_yet_translated_still_works_in_english(cast, login):
    client = pick_welsh(login(cast.spoc))
    page = client.get(reverse("help"), follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="cy">' in html
    assert "Galwadau" in html, "the menu is translated"
    assert "What you do" in html and "runs the school's service desk" in html  # not in the catalogue: in English


@pytest.mark.django_db
def test_a_service_message_follows_the_active_language(cast):
    location = Location.objects.filter(school=cast.school).first()
    for language, expected in (("cy", "Dywedwch yn fyr beth sydd o'i le."), ("en-gb", "Say briefly what is wrong.")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            incident_create(school=cast.school, location=location, summary=" ", by=cast.reporter)
        assert expected in refused.value.messages


def project(tmp_path: Path, code: str, known: list[str]) -> Path:
    """A project of one module and a Welsh catalogue that knows `known`."""
    (tmp_path / "schooldesk").mkdir(parents=True)
    (tmp_path / "schooldesk" / "words.py").write_text(
        "from django.utils.translation import gettext as _\n\n\n" + code, encoding="utf-8"
    )
    po = catalogue.catalogue_path(tmp_path)
    po.parent.mkdir(parents=True)
    entries = "".join(f'\nmsgid "{msgid}"\nmsgstr ""\n' for msgid in known)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' + entries, encoding="utf-8")
    return po


def test_the_catalogue_check_fails_on_a_new_string_and_passes_once_it_is_added(tmp_path):
    code = 'def hello():\n    return _("Good morning"), _("A string nobody has added yet")\n'
    po = project(tmp_path, code, ["Good morning"])
    assert catalogue.missing(tmp_path, po) == [("", "A string nobody has added yet")]
    po = project(tmp_path / "again", code, ["Good morning", "A string nobody has added yet"])
    assert catalogue.missing(tmp_path / "again", po) == []


def test_the_catalogue_reader_knows_contexts_plurals_and_long_strings():
    po = """msgid ""
msgstr "Language: cy\\n"

msgctxt "month"
msgid "May"
msgstr "Mai"

msgid "%(n)s call"
msgid_plural "%(n)s calls"
msgstr[0] ""

msgid ""
"A long string "
"over two lines"
msgstr ""

#~ msgid "Gone"
#~ msgstr "Wedi mynd"
"""
    assert catalogue.msgids(po) == {("month", "May"), ("", "%(n)s call"), ("", "A long string over two lines")}


def test_the_committed_catalogue_compiles_to_the_committed_mo():
    po = catalogue.catalogue_path(settings.BASE_DIR)
    assert po.exists() and catalogue.mo_is_fresh(po), "run `make messages` and commit locale/cy"
