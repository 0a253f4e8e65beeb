"""The offer matches the refusal: for each of the cast, the restricted lane's and the filtering register's pages
offer a form or a button exactly when the rule the service enforces (schooldesk/permissions/rules.py) says yes.
(Who sees a restricted call, a breach or a concern is tenancy: `visible_to`.)"""

import pytest
from django.core.exceptions import PermissionDenied

from schooldesk.core.permissions import can
from schooldesk.safeguarding import services
from schooldesk.safeguarding.tests import tenancy

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")  # the dpo is the DSL too here


def test_the_pages_offer_what_the_rules_allow(cast, client):
    world = tenancy.build(cast, "OAK")
    breach, concern, item, review = (world[k] for k in ("breach", "concern", "filter_request", "filter_review"))
    for role in CAST:
        person = getattr(cast, role)
        client.force_login(person)
        lane = role in ("owner", "dpo")
        assert can(person, "safeguarding.breach_record", breach) == lane, role
        assert can(person, "safeguarding.concern_act", concern) == lane, role
        assert can(person, "safeguarding.concern_close", concern) == lane, role
        assert can(person, "safeguarding.filter_decide", item) == lane, role
        assert can(person, "safeguarding.review_start", cast.school) == lane, role
        assert can(person, "safeguarding.filter_request", cast.school), role  # every member may ask
        signs = can(person, "safeguarding.review_sign", review)
        assert signs == (role in ("dpo", "viewer")), role  # the DSL, and a governor

        page = client.get(f"/safeguarding/breaches/{breach.pk}/")
        assert ('name="data_involved"' in page.content.decode()) == lane and (page.status_code == 200) == lane, role
        page = client.get(f"/safeguarding/concerns/{concern.pk}/")
        text = page.content.decode()
        assert (f'action="/safeguarding/concerns/{concern.pk}/actions/"' in text) == lane, role
        assert (f'action="/safeguarding/concerns/{concern.pk}/outcome/"' in text) == lane, role
        page = client.get(f"/safeguarding/filtering/{item.pk}/")
        if page.status_code == 200:  # the readers of the register, and the person who asked
            assert (f'action="/safeguarding/filtering/{item.pk}/decide/"' in page.content.decode()) == lane, role
        else:
            assert not lane, role
        register = client.get("/safeguarding/filtering/").content.decode()
        assert ('href="/safeguarding/reviews/new/"' in register) == lane, role
        assert 'href="/safeguarding/filtering/new/"' in register, role
        page = client.get(f"/safeguarding/reviews/{review.pk}/")
        if page.status_code == 200:
            assert (f'action="/safeguarding/reviews/{review.pk}/sign/"' in page.content.decode()) == signs, role
        else:
            assert not signs, role
        if not lane:
            with pytest.raises(PermissionDenied):
                services.concern_action_add(concern=concern, by=person, text="Spoke to the pupil")
            with pytest.raises(PermissionDenied):
                services.breach_record(breach=breach, by=person, version=breach.version)
        if not signs:
            with pytest.raises(PermissionDenied, match="does not wait for your signature"):
                services.filter_review_sign(review=review, by=person)


def test_a_review_waits_for_each_signature_once(cast):
    review = tenancy.build(cast, "OAK")["filter_review"]
    services.filter_review_sign(review=review, by=cast.dpo)
    review.refresh_from_db()
    assert not can(cast.dpo, "safeguarding.review_sign", review)
    assert can(cast.viewer, "safeguarding.review_sign", review)
