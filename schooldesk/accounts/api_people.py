"""People and roles in the API, read-only, for the school's desk (SPOC, ICT owner): who holds which role in the
schools whose desk the reader is. (Apart from accounts/api.py, which REST framework imports for its settings before
its views exist: a viewset there would import itself in a circle.)"""

from rest_framework import serializers

from schooldesk.accounts.models import Membership, User
from schooldesk.accounts.selectors import desk_school_ids
from schooldesk.core.api import DeskViewSet, FieldsMixin


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "user", "school", "organisation", "role", "supplier"]


class PersonSerializer(FieldsMixin, serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "phone", "job_title", "is_active", "roles"]

    def get_roles(self, person) -> list[dict]:
        """The person's roles in the schools the reader runs the desk for."""
        schools = set(self.context.get("desk_schools", ()))
        return [{"school": m.school_id, "role": m.role} for m in person.memberships.all() if m.school_id in schools]


def people_for(user):
    """The people with a role in a school whose desk (SPOC, ICT owner) the user is."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(school_id__in=desk_school_ids(user=user)).values("user_id")
    ).prefetch_related("memberships")


def memberships_for(user):
    return Membership.objects.filter(school_id__in=desk_school_ids(user=user))


class PersonViewSet(DeskViewSet):
    """People of the schools whose desk you are, with their roles there (read-only)."""

    serializer_class = PersonSerializer
    selector = staticmethod(people_for)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "desk_schools": desk_school_ids(user=self.request.user)}


class MembershipViewSet(DeskViewSet):
    """Roles held in the schools whose desk you are (read-only); `?school=`, `?role=`, `?user=`."""

    serializer_class = MembershipSerializer
    selector = staticmethod(memberships_for)
    filterset_fields = ["school", "role", "user"]
