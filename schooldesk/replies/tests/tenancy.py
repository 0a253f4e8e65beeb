"""School A's canned replies for the tenancy walk (schooldesk/core/tests/test_tenancy.py): one of the school's own
and one its organisation shares; `incident_pk` is the incidents app's call."""

from schooldesk.replies.models import CannedReply

SECTION = "replies"
PK = "reply"
PARAMS = {"incident_pk": "incident"}


def build(cast, secret):
    reply = CannedReply.objects.create(school=cast.school, title=f"{secret} reply", body=f"{secret} body")
    CannedReply.objects.create(
        organisation=cast.school.organisation, title=f"{secret} shared", body=f"{secret} shared body"
    )
    return {"reply": reply}
