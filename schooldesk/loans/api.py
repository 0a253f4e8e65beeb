"""Loans, pupils and charges in the API (docs/decisions/0025, "Loans"): read with the scheme pages' scoping
(`loans_for`, `pupils_for`: `visible_to` and the roles that keep the scheme; `charge_list`: the desk), the charges
list's own filterset; a loan is made (`loan_issue`) and ended (`loan_return`, the page's ReturnForm) through the
services the scanning and loan pages call. Pupils and charges are read-only here."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from schooldesk.accounts.models import Pupil, User
from schooldesk.assets.models import Asset
from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet, through_form
from schooldesk.loans import forms, selectors, services
from schooldesk.loans.filtersets_pool import ChargeFilterSet
from schooldesk.loans.models import Agreement, Loan, LoanPhoto
from schooldesk.loans.models_pool import Charge, LoanSwap
from schooldesk.loans.selectors_pool import charge_api_list


class AgreementSerializer(DeskSerializer):
    """Who signed the loan's agreement, as whom, how and when (not the signature, the scan or the address)."""

    class Meta:
        model = Agreement
        fields = ["id", "title", "signer_name", "relationship", "method", "signed_at", "recorded_by"]


class LoanPhotoSerializer(DeskSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LoanPhoto
        fields = ["id", "stage", "original_name", "content_type", "size", "created_at", "download_url"]

    def get_download_url(self, photo) -> str:
        return reverse("loans:photo_download", args=[photo.loan_id, photo.pk])


class LoanSwapSerializer(DeskSerializer):
    class Meta:
        model = LoanSwap
        fields = ["id", "original", "loaner", "incident", "swapped_at", "swapped_back_at"]


class LoanSerializer(DeskSerializer):
    asset_tag = serializers.CharField(source="asset.tag", read_only=True)
    borrower_name = serializers.SerializerMethodField()
    agreement = AgreementSerializer(read_only=True, allow_null=True)
    photos = LoanPhotoSerializer(many=True, read_only=True)
    swaps = LoanSwapSerializer(many=True, read_only=True)

    class Meta:
        model = Loan
        fields = [
            "id",
            "school",
            "asset",
            "asset_tag",
            "pupil",
            "person",
            "borrower_name",
            "issued_on",
            "due_on",
            "returned_on",
            "issued_by",
            "returned_by",
            "condition_out",
            "condition_in",
            "is_data_wiped",
            "agreement",
            "photos",
            "swaps",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_borrower_name(self, loan) -> str:
        return str(loan.borrower)


class LoanIssueSerializer(serializers.Serializer):
    """A loan as the scanning page makes it: a device of the register to a pupil or a member of staff."""

    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.none())
    pupil = serializers.PrimaryKeyRelatedField(queryset=Pupil.objects.none(), required=False, allow_null=True)
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    condition_out = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        schools = selectors.loan_school_ids(user=user)
        self.fields["asset"].queryset = Asset.objects.visible_to(user).filter(school_id__in=schools)
        self.fields["pupil"].queryset = selectors.pupils_for(user=user)
        self.fields["person"].queryset = User.objects.filter(memberships__school_id__in=schools).distinct()


class LoanReturnSerializer(serializers.Serializer):
    """The loan page's return form: its fields, its choices and its messages (photos are added on the page)."""

    status = serializers.ChoiceField(choices=["spare", "in_use", "in_repair", "retired"])
    condition_in = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    is_data_wiped = serializers.BooleanField(required=False, default=False)
    location = serializers.IntegerField(required=False, allow_null=True, help_text="A location of the loan's school.")


def loans_for(user):
    return selectors.loans_for(user=user).select_related("agreement").prefetch_related("photos", "swaps")


class LoanViewSet(mixins.CreateModelMixin, DeskViewSet):
    """Loans of devices to pupils and staff (the device scheme, staff laptops): who has which device, since when,
    due back when, its agreement, photos and loaner swaps. `?asset=` for a device's loans, `?returned_on__isnull=
    true` for the open ones, `?due_on__lt=<date>` for the overdue. Made and ended by the scheme's roles (SPOC,
    technician, ICT owner) through `loan_issue` and `loan_return`."""

    serializer_class = LoanSerializer
    selector = loans_for
    filterset_fields = {
        "school": ["exact"],
        "asset": ["exact"],
        "pupil": ["exact"],
        "person": ["exact"],
        "returned_on": ["isnull"],
        "due_on": ["lt", "gte"],
    }
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=LoanIssueSerializer, responses={201: LoanSerializer})
    def create(self, request, *args, **kwargs):
        """Lend a device to a pupil (`pupil`) or a member of staff (`person`): one of the two."""
        serializer = LoanIssueSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        loan = services.loan_issue(by=request.user, **serializer.validated_data)
        return self.detail_answer(loan, status.HTTP_201_CREATED)

    @extend_schema(request=LoanReturnSerializer, responses=LoanSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """Take the device back: its condition, whether its data was wiped, and where it goes now."""
        loan = self.get_object()
        self.checked_version(loan)
        form = through_form(forms.ReturnForm, request, loan=loan)
        data = form.cleaned_data
        loan = services.loan_return(
            loan=loan,
            by=request.user,
            condition_in=data["condition_in"],
            is_data_wiped=data["is_data_wiped"],
            status=data["status"],
            location=data["location"],
        )
        return self.detail_answer(loan)


class PupilSerializer(DeskSerializer):
    class Meta:
        model = Pupil
        fields = [
            "id",
            "school",
            "first_name",
            "last_name",
            "year_group",
            "form",
            "mis_id",
            "parent_name",
            "parent_email",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]


class PupilViewSet(DeskViewSet):
    """The pupils of the device scheme (read-only), for the scheme's roles: `?year_group=`, `?form=`, `?is_active=`,
    `?mis_id=`. Added and changed on the pupils page, its class-list import and the directory sync."""

    serializer_class = PupilSerializer
    selector = selectors.pupils_for
    filterset_fields = ["school", "year_group", "form", "is_active", "mis_id"]


class ChargeSerializer(DeskSerializer):
    reference = serializers.CharField(read_only=True)
    borrower_name = serializers.SerializerMethodField()

    class Meta:
        model = Charge
        fields = [
            "id",
            "reference",
            "school",
            "loan",
            "borrower_name",
            "reason",
            "description",
            "amount",
            "status",
            "raised_by",
            "sent_at",
            "paid_at",
            "waived_at",
            "waived_reason",
            "exported_at",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_borrower_name(self, charge) -> str:
        return str(charge.loan.borrower)


def charges_for(user):
    return charge_api_list(user=user)


class ChargeViewSet(DeskViewSet):
    """Charges to families for devices damaged or lost (read-only), for the desk (SPOC, ICT owner), filtered as the
    charges page is (`?status=`, `?reason=`, `?raised_from=`, `?raised_to=`, `?q=`)."""

    serializer_class = ChargeSerializer
    filterset_class = ChargeFilterSet
    selector = charges_for
