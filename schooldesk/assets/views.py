from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.assets import forms, services
from schooldesk.assets.choices import ASSET_DESK_ROLES, GONE_STATUSES
from schooldesk.assets.filtersets import AssetFilterSet
from schooldesk.assets.importer import PREVIEW_ROWS, asset_import_apply, asset_import_check, asset_import_upload
from schooldesk.assets.labels import PER_SHEET, asset_label, labels_pdf, location_label
from schooldesk.assets.models import Asset, AssetRelationship, AssetType
from schooldesk.assets.selectors import (
    MANY_SCHOOLS,
    asset_audit_check,
    asset_choices_for,
    asset_get,
    asset_history,
    asset_imports,
    asset_incidents,
    asset_list,
    asset_relationships,
    asset_school_ids,
    asset_type_list,
    asset_types,
    assets_affected_by,
    label_rooms,
    replacement_forecast,
    scanned_codes,
    schools_for_choices,
)
from schooldesk.assets.tables import ASSET_EXPORT, ASSET_PAGE, FORECAST_EXPORT
from schooldesk.core.exports import export_response
from schooldesk.core.permissions import can
from schooldesk.core.views import (
    CappedPaginator,
    FilteredListView,
    FormPageView,
    ObjectActionView,
    PermissionRequiredMixin,
    apply_service,
)
from schooldesk.locations.models import Location
from schooldesk.schools.models import School

MAX_LABELS = 21 * 50  # fifty sheets


def _asset_or_404(request, pk) -> Asset:
    try:
        return asset_get(user=request.user, pk=pk)
    except Asset.DoesNotExist as exc:
        raise Http404 from exc


class AssetListView(FilteredListView):
    model = Asset
    paginator_class = CappedPaginator
    selector = asset_list
    filterset_class = AssetFilterSet
    table = ASSET_PAGE
    permission = "assets.change"
    template_name = "assets/asset_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forms.freeze_choices(self.filterset.form)
        rooms = schools_for_choices(
            user=self.request.user, chosen=self.request.GET.get("school"), roles=ASSET_DESK_ROLES
        )
        may_bulk = can(self.request.user, "assets.bulk")
        context["bulk"] = forms.freeze_choices(forms.BulkForm(school_ids=rooms)) if may_bulk else None
        context["today"] = timezone.localdate()
        context["skip_choices"] = range(PER_SHEET)
        return context


class AssetExportView(PermissionRequiredMixin, View):
    """The filtered list (every page of it) as CSV or Excel; cells that could run as formulas are escaped."""

    permission = "assets.change"

    def get(self, request):
        filterset = AssetFilterSet(
            request.GET or None, queryset=asset_list(user=request.user).select_related("supplier"), request=request
        )
        if filterset.is_bound and not filterset.is_valid():
            return redirect("assets:asset_list")
        assets = filterset.qs.order_by("school__name", "tag").iterator(chunk_size=2000)
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        return export_response(ASSET_EXPORT, fmt, f"assets-{timezone.localdate().isoformat()}", assets)


class AssetDetailView(PermissionRequiredMixin, View):
    permission = "assets.change"

    def get(self, request, pk):
        return render_asset(request, _asset_or_404(request, pk))


ACTION_FORMS = {
    "move": forms.MoveForm,
    "issue": forms.IssueForm,
    "return": forms.ReturnForm,
    "status": forms.StatusForm,
    "dispose": forms.DisposeForm,
    "relate": forms.RelationshipForm,
}


def _action_forms(asset, user, bound=None) -> dict:
    """The actions the asset's page offers: each one the rule the service asks allows (permissions/rules.py)."""
    available = {}
    may_change, may_lend = can(user, "assets.change", asset), can(user, "loans.lend", asset)
    if asset.status not in GONE_STATUSES:
        if may_change:
            available["move"] = forms.MoveForm(asset=asset, initial={"location": asset.location_id})
        if may_lend and services.asset_is_lent(asset):  # issued: return it first (the service refuses a 2nd issue)
            available["return"] = forms.ReturnForm(asset=asset, initial={"status": "spare"})
        elif may_lend:
            available["issue"] = forms.IssueForm(asset=asset)
    if asset.status != "disposed" and may_change:
        available["status"] = forms.StatusForm(asset=asset, initial={"status": asset.status})
        available["relate"] = forms.RelationshipForm(asset=asset)
    if asset.status != "disposed" and can(user, "assets.dispose", asset):
        available["dispose"] = forms.DisposeForm(asset=asset, initial={"disposed_on": timezone.localdate()})
    if bound is not None:
        available[bound[0]] = bound[1]
    return available


def render_asset(request, asset, bound=None, status=200):
    return render(
        request,
        "assets/asset_detail.html",
        {
            "asset": asset,
            "history": asset_history(asset=asset),
            "calls": asset_incidents(user=request.user, asset=asset),
            "relations": asset_relationships(asset),
            "affected": assets_affected_by(asset),
            "forms": _action_forms(asset, request.user, bound),
            "failed": bound[0] if bound else None,
            "today": timezone.localdate(),
        },
        status=status,
    )


ACTIONS = {
    "move": (lambda a, u, d: services.asset_move(asset=a, location=d["location"], by=u, note=d["note"]), _("Moved.")),
    "issue": (
        lambda a, u, d: services.asset_issue(
            asset=a, person=d["person"], by=u, loan_due_on=d["loan_due_on"], note=d["note"]
        ),
        _("Issued."),
    ),
    "return": (
        lambda a, u, d: services.asset_return(
            asset=a,
            by=u,
            status=d["status"],
            location=d["location"],
            note=d["note"],
            condition_in=d["condition_in"],
            is_data_wiped=d["is_data_wiped"],
        ),
        _("Returned."),
    ),
    "status": (
        lambda a, u, d: services.asset_status_set(asset=a, status=d["status"], by=u, note=d["note"]),
        _("Status changed."),
    ),
    "dispose": (
        lambda a, u, d: services.asset_dispose(
            asset=a,
            by=u,
            disposed_on=d["disposed_on"],
            method=d["method"],
            reference=d["reference"],
            is_data_wiped=d["is_data_wiped"],
            note=d["note"],
        ),
        _("Disposal recorded."),
    ),
    "relate": (
        lambda a, u, d: services.relationship_add(
            from_asset=a, kind=d["kind"], to_asset=d["to_asset"], by=u, note=d["note"]
        ),
        _("Relationship added."),
    ),
}


class AssetActionView(PermissionRequiredMixin, ObjectActionView):
    """POST only: one of ACTIONS on an asset; a failed form re-renders the asset page with what was typed."""

    permission = "assets.change"

    def get_object(self):
        return _asset_or_404(self.request, self.kwargs["pk"])

    def get_form(self, asset, data, files):
        return ACTION_FORMS[self.action](data, asset=asset)

    def perform(self, asset, form):
        return ACTIONS[self.action][0](asset, self.request.user, form.cleaned_data)

    def get_success_message(self, result):
        return ACTIONS[self.action][1]

    def get_success_url(self, asset):
        return reverse("assets:asset_detail", args=[asset.pk])

    def render_failed(self, asset, form):
        return render_asset(self.request, asset, bound=(self.action, form), status=400)


class RelationshipRemoveView(PermissionRequiredMixin, View):
    permission = "assets.change"

    def post(self, request, pk, relationship_pk):
        asset = _asset_or_404(request, pk)
        relation = get_object_or_404(
            AssetRelationship.objects.select_related("from_asset", "to_asset").filter(
                from_asset__school_id=asset.school_id
            ),
            pk=relationship_pk,
            from_asset=asset,
        )
        services.relationship_remove(relationship=relation, by=request.user)
        messages.success(request, _("Relationship removed."))
        return redirect("assets:asset_detail", pk=asset.pk)


class AssetEditView(FormPageView):
    """Add an asset (no pk) or change one; a changed version since the page was opened is refused."""

    permission = "assets.change"
    template_name = "assets/asset_form.html"
    context_object_name = "asset"
    success_message = gettext_lazy("Asset saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return _asset_or_404(self.request, pk) if pk else Asset()

    def get_form(self, data=None, files=None):
        request, school_ids, school = self.request, asset_school_ids(user=self.request.user), None
        if not self.object.pk:
            wanted = request.POST.get("school") or request.GET.get("school")
            if wanted and str(wanted).isdigit() and int(wanted) in school_ids:
                school = School.objects.get(pk=int(wanted))
            services.asset_types_ensure(school_ids=[school.pk] if school else school_ids)
        return forms.AssetForm(data, instance=self.object, school_ids=school_ids, school=school)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if not self.object.pk and form.fixed_owner is None and len(form.school_ids) > MANY_SCHOOLS:
            # an LA: first which school, then its rooms
            schools = School.objects.filter(pk__in=form.school_ids).only("id", "name")
            return render(request, "assets/choose_school.html", {"schools": schools})
        return self.render_form(form)

    def perform(self, form):
        version = form.cleaned_data.get("version") if self.object.pk else None
        return services.asset_save(asset=form.instance, by=self.request.user, version=version)

    def get_success_url(self, result):
        return reverse("assets:asset_detail", args=[result.pk])


class AssetReportHereView(View):
    """A device's QR label: the report form with the device and its room filled in (after signing in)."""

    def get(self, request, pk):
        asset = get_object_or_404(Asset.objects.visible_to(request.user), pk=pk)
        where = f"location={asset.location_id}&" if asset.location_id else ""
        return redirect(f"{reverse('incidents:incident_create')}?{where}asset={asset.pk}&via=qr")


class AssetOptionsView(View):
    """The device drop-down of the report form for the chosen location (htmx swaps the options in)."""

    def get(self, request):
        location = request.GET.get("location", "")
        assets = asset_choices_for(user=request.user, location_id=int(location)) if location.isdigit() else []
        return render(request, "assets/asset_options.html", {"assets": assets, "location": location})


class BulkView(PermissionRequiredMixin, View):
    """POST the ticked assets: move them, change their status, or print their labels."""

    permission = "assets.bulk"

    def post(self, request):
        school_ids = asset_school_ids(user=request.user, roles=ASSET_DESK_ROLES)
        ids = [int(v) for v in request.POST.getlist("asset") if v.isdigit()][:MAX_LABELS]
        chosen = asset_list(user=request.user, roles=ASSET_DESK_ROLES).filter(pk__in=ids)
        back = request.POST.get("next") or reverse("assets:asset_list")
        if not back.startswith("/") or back.startswith("//"):
            back = reverse("assets:asset_list")
        if request.POST.get("action") == "labels":
            return labels_response(request, chosen, skip=request.POST.get("skip"))
        form = forms.BulkForm(request.POST, school_ids=school_ids)
        if form.is_valid():
            try:
                data = form.cleaned_data
                count = services.assets_bulk_update(
                    assets=chosen, by=request.user, location=data["location"], status=data["status"], note=data["note"]
                )
            except ValidationError as exc:  # shown to the person; nothing was changed
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("%(n)s assets changed.") % {"n": count})
        else:
            messages.error(request, _("Choose a location from the list."))
        return redirect(back)


def labels_response(request, assets, skip=None):
    assets = list(assets.select_related("school", "asset_type", "location").order_by("tag")[:MAX_LABELS])
    if not assets:
        messages.error(request, _("Tick the assets whose labels you want to print."))
        return redirect("assets:asset_list")
    return _pdf(asset_labels(request, assets), skip, "asset-labels.pdf")


def label_url(request, path: str) -> str:
    """The absolute address a QR label holds: on SCHOOLDESK_SITE_URL when it is set (a label outlives the address
    someone printed it from), else the address this page was asked for."""
    if settings.SCHOOLDESK_SITE_URL_IS_SET:
        return settings.SCHOOLDESK_SITE_URL + path
    return request.build_absolute_uri(path)


def asset_labels(request, assets) -> list:
    """Each label's QR code holds the absolute address of the device's "report a fault here" page."""
    return [asset_label(a, label_url(request, reverse("assets:report_here", args=[a.pk]))) for a in assets]


def _pdf(labels, skip, filename):
    skip = int(skip) if str(skip or "").isdigit() else 0
    response = HttpResponse(
        labels_pdf(labels, skip=min(skip, PER_SHEET - 1), title=filename), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AssetLabelsView(PermissionRequiredMixin, View):
    """GET ?asset=1&asset=2 (one asset's page links here) → the PDF sheet."""

    permission = "assets.change"

    def get(self, request):
        ids = [int(v) for v in request.GET.getlist("asset") if v.isdigit()][:MAX_LABELS]
        return labels_response(request, asset_list(user=request.user).filter(pk__in=ids), request.GET.get("skip"))


class LocationLabelsView(PermissionRequiredMixin, View):
    """GET ?school=<pk> (every room of it) or ?location=1&location=2 → the PDF sheet of room labels."""

    permission = "assets.room_labels"

    def get(self, request):
        school_ids = asset_school_ids(user=request.user, roles=ASSET_DESK_ROLES)
        rooms = label_rooms(user=request.user)
        ids = [int(v) for v in request.GET.getlist("location") if v.isdigit()]
        school = request.GET.get("school", "")
        if ids:
            rooms = rooms.filter(pk__in=ids)
        elif school.isdigit():
            rooms = rooms.filter(school_id=int(school))
        else:
            rooms = rooms.none()
        rooms = list(rooms.select_related("school").order_by("school__name", "building", "name")[:MAX_LABELS])
        if not rooms:
            return render(
                request,
                "assets/location_labels.html",
                {
                    "schools": School.objects.filter(pk__in=school_ids).only("id", "name"),
                    "locations": label_rooms(user=request.user)
                    .select_related("school")
                    .order_by("school__name", "name"),
                },
            )
        labels = [location_label(r, label_url(request, reverse("incidents:report_here", args=[r.pk]))) for r in rooms]
        return _pdf(labels, request.GET.get("skip"), "room-labels.pdf")


class AssetTypeListView(PermissionRequiredMixin, View):
    permission = "assets.change_types"

    def get(self, request):
        services.asset_types_ensure(school_ids=asset_school_ids(user=request.user, roles=ASSET_DESK_ROLES))
        return render(request, "assets/assettype_list.html", {"types": asset_type_list(user=request.user)})


class AssetTypeEditView(FormPageView):
    """Add a type of equipment to a school's list (a person with several schools chooses which), or rename one."""

    permission = "assets.change_types"
    template_name = "assets/assettype_form.html"
    context_object_name = "asset_type"
    success_message = gettext_lazy("Type saved.")

    def get_object(self):
        if pk := self.kwargs.get("asset_type_pk"):
            return get_object_or_404(asset_types(user=self.request.user, roles=ASSET_DESK_ROLES), pk=pk)
        return AssetType()

    def get_form(self, data=None, files=None):
        school_ids = asset_school_ids(user=self.request.user, roles=ASSET_DESK_ROLES)
        wanted = self.request.GET.get("school", "")  # "Add a type" from one school's list
        school = School.objects.filter(pk=int(wanted), pk__in=school_ids).first() if wanted.isdigit() else None
        return forms.AssetTypeForm(data, instance=self.object, school_ids=school_ids, school=school)

    def perform(self, form):
        return services.asset_type_save(asset_type=form.instance, by=self.request.user, version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("assets:assettype_list")


# --- import -----------------------------------------------------------------------------------
class ImportUploadView(PermissionRequiredMixin, View):
    permission = "assets.import"

    def _render(self, request, form, status=200):
        return render(
            request,
            "assets/import_upload.html",
            {"form": form, "recent": asset_imports(user=request.user)[:10]},
            status=status,
        )

    def get(self, request):
        school_ids = asset_school_ids(user=request.user, roles=ASSET_DESK_ROLES)
        return self._render(request, forms.ImportUploadForm(school_ids=school_ids))

    def post(self, request):
        form = forms.ImportUploadForm(
            request.POST, request.FILES, school_ids=asset_school_ids(user=request.user, roles=ASSET_DESK_ROLES)
        )
        if form.is_valid():
            record = apply_service(
                request,
                form,
                asset_import_upload,
                "",
                school=form.owner,
                upload=form.cleaned_data["file"],
                by=request.user,
            )
            if record:
                return redirect("assets:import_map", asset_import_pk=record.pk)
        return self._render(request, form, status=400)


class ImportMapView(PermissionRequiredMixin, View):
    """Map the columns; "Check" reads every row and shows the problems or a preview; "Import" writes it all."""

    permission = "assets.import"

    def _render(self, request, record, form, check=None, status=200):
        return render(
            request,
            "assets/import_map.html",
            {
                "record": record,
                "form": form,
                "check": check,
                "preview": check.assets[:PREVIEW_ROWS] if check else [],
            },
            status=status,
        )

    def get(self, request, asset_import_pk):
        record = get_object_or_404(asset_imports(user=request.user), pk=asset_import_pk)
        initial = {f"map_{name}": heading for name, heading in record.mapping.items()}
        return self._render(request, record, forms.ImportMappingForm(initial=initial, headers=record.headers))

    def post(self, request, asset_import_pk):
        record = get_object_or_404(asset_imports(user=request.user), pk=asset_import_pk)
        form = forms.ImportMappingForm(request.POST, headers=record.headers)
        if not form.is_valid():
            return self._render(request, record, form, status=400)
        if request.POST.get("action") == "import":
            count = apply_service(
                request,
                form,
                asset_import_apply,
                "",
                record=record,
                mapping=form.mapping,
                by=request.user,
                create_missing=form.cleaned_data["create_missing"],
            )
            if count:
                messages.success(
                    request, _("%(n)s assets imported from %(name)s.") % {"n": count, "name": record.original_name}
                )
                return redirect(f"{reverse('assets:asset_list')}?school={record.school_id}")
        check = apply_service(request, form, asset_import_check, "", record=record, mapping=form.mapping)
        return self._render(request, record, form, check, status=200 if check and check.is_valid else 400)


# --- audit by scan ----------------------------------------------------------------------------
class AuditView(PermissionRequiredMixin, View):
    """Walk a room, scan what is there: what is missing, what is in the wrong room, what is unknown."""

    permission = "assets.change"

    def _form(self, request, data=None):
        school_ids = asset_school_ids(user=request.user)
        if len(school_ids) > MANY_SCHOOLS:  # one school's rooms: the school of the room asked for, or chosen
            wanted = (data or {}).get("location") or request.GET.get("location") or ""
            room = Location.objects.filter(pk=int(wanted)).first() if str(wanted).isdigit() else None
            school_ids = schools_for_choices(
                user=request.user, chosen=room.school_id if room else request.GET.get("school")
            )
        return forms.AuditForm(data, school_ids=school_ids, initial={"location": request.GET.get("location")})

    def get(self, request):
        return render(request, "assets/audit.html", {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if not form.is_valid():
            return render(request, "assets/audit.html", {"form": form}, status=400)
        location = form.cleaned_data["location"]
        result = asset_audit_check(
            user=request.user, location=location, codes=scanned_codes(form.cleaned_data["codes"])
        )
        if request.POST.get("action") == "record":
            if not result.found:
                form.add_error("codes", _("Nothing scanned matches the register: there is nothing to record."))
                return render(request, "assets/audit.html", {"form": form, "result": result}, status=400)
            count = services.asset_audit_record(
                location=location, found=result.found, by=request.user, move_here=form.cleaned_data["move_here"]
            )
            messages.success(
                request, _("Audit of %(room)s recorded: %(n)s assets seen.") % {"room": location.name, "n": count}
            )
            return redirect(f"{reverse('assets:audit')}?location={location.pk}")
        return render(request, "assets/audit.html", {"form": form, "result": result})


class ReplacementForecastView(PermissionRequiredMixin, View):
    """Assets → Replacement forecast: what falls out of support in each financial year and what replacing it
    would cost, types as rows and years as columns, each figure linking to the assets behind it; as CSV or
    XLSX with `?format=csv|xlsx` (decision 0022)."""

    permission = "assets.change"

    def get(self, request):
        school_ids = asset_school_ids(user=request.user)
        wanted = request.GET.get("school", "")
        chosen = int(wanted) if wanted.isdecimal() and int(wanted) in school_ids else None
        forecast = replacement_forecast(
            user=request.user, today=timezone.localdate(), school_ids=None if chosen is None else [chosen]
        )
        if request.GET.get("format") in ("csv", "xlsx"):
            return self.export(request.GET["format"], forecast, chosen)
        base = {"school": chosen} if chosen else {}
        for row in forecast["rows"]:
            for column, cell in zip(forecast["columns"], row["list"], strict=True):
                cell["url"] = self.link(base | {"forecast": column["key"], "type_name": row["name"]})
        for column, cell in zip(forecast["columns"], forecast["totals"], strict=True):
            cell["url"] = self.link(base | {"forecast": column["key"]})
        choices = (
            list(School.objects.filter(pk__in=school_ids).order_by("name").values_list("pk", "name"))
            if len(school_ids) > 1
            else []
        )
        return render(
            request,
            "assets/replacement_forecast.html",
            {"forecast": forecast, "chosen": chosen, "school_choices": choices, "export_query": urlencode(base)},
        )

    @staticmethod
    def link(params: dict) -> str:
        return f"{reverse('assets:asset_list')}?{urlencode(params)}"

    def export(self, fmt, forecast, chosen):
        rows = []
        for row in [*forecast["rows"], {"name": _("All types"), "list": forecast["totals"]}]:
            for column, cell in zip(forecast["columns"], row["list"], strict=True):
                rows.append([row["name"], column["label"], cell["n"], cell["unpriced"], cell["cost"]])
        return export_response(FORECAST_EXPORT, fmt, f"replacement-forecast-{timezone.localdate().isoformat()}", rows)
