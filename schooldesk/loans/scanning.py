"""Hand-out and return by the hundred (docs/decisions/0028): pick a class or a year group, then scan each device's
label. A USB scanner types the label's text and Enter into the focused box; a phone reads the QR code with the
browser's BarcodeDetector where it has one (loans/static/loans/scan.js). Each scan is an htmx POST that lends the
device to the next pupil of the list without one (or the pupil chosen), or takes it back, and answers with the
list, the running count and what happened, in words, without reloading the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.assets.choices import REFERENCE_PREFIX
from schooldesk.assets.models import Asset
from schooldesk.assets.selectors import ASSET_URL
from schooldesk.core.views import PermissionRequiredMixin
from schooldesk.loans import services
from schooldesk.loans.models import Loan
from schooldesk.loans.selectors import classes_of, loan_school_ids, loan_schools, pupils_for
from schooldesk.schools.models import School


def asset_for_code(user, school_id: int, code: str) -> tuple[Asset | None, str]:
    """The device a scanned label names, in the chosen school, or why not (in words). The label's QR code holds
    the address of the device's "report a fault here" page (assets/labels.py); its text, the tag; the reference
    AST-000123 and the serial number also work. A device of a school the person cannot see is simply unknown."""
    code = (code or "").strip()
    if not code:
        return None, _("Nothing was scanned.")
    visible = Asset.objects.visible_to(user).select_related("school", "asset_type")
    match = ASSET_URL.search(code)
    if match:
        asset = visible.filter(pk=int(match.group(1))).first()
    elif code.upper().startswith(REFERENCE_PREFIX) and code[len(REFERENCE_PREFIX) :].isdecimal():
        asset = visible.filter(pk=int(code[len(REFERENCE_PREFIX) :])).first()
    else:  # the tag, else the serial number: one query when the tag matches, as a printed label's does
        in_school, key = visible.filter(school_id=school_id), code.lower()
        asset = in_school.alias(t=Lower("tag")).filter(t=key).first()
        if asset is None:
            asset = in_school.alias(s=Lower("serial")).filter(s=key).first()
    if asset is None:
        return None, _("“%(code)s” is not a label of this school's register.") % {"code": code[:80]}
    if asset.school_id != school_id:
        return None, _("%(tag)s belongs to another school (%(school)s): it cannot be lent here.") % {
            "tag": asset.tag,
            "school": asset.school.name,
        }
    return asset, ""


@dataclass
class Session:
    """What the scanning page shows: the chosen school, group, mode, the pupils and the running count."""

    school: School
    group: str  # "form:7B" or "year:Year 7"
    mode: str  # "out" or "in"
    due_on: object = None
    condition_out: str = ""
    pupils: list = field(default_factory=list)
    lent: dict = field(default_factory=dict)  # pupil pk -> open loan
    returned_today: set = field(default_factory=set)

    @property
    def label(self) -> str:
        return self.group.split(":", 1)[1] if ":" in self.group else ""

    @property
    def done(self) -> int:
        if self.mode == "out":
            return sum(1 for p in self.pupils if p.pk in self.lent)
        return sum(1 for p in self.pupils if p.pk in self.returned_today and p.pk not in self.lent)

    @property
    def total(self) -> int:
        if self.mode == "out":
            return len(self.pupils)
        return sum(1 for p in self.pupils if p.pk in self.lent or p.pk in self.returned_today)

    @property
    def waiting(self) -> list:
        return [p for p in self.pupils if p.pk not in self.lent] if self.mode == "out" else []

    def rows(self):
        for pupil in self.pupils:
            yield pupil, self.lent.get(pupil.pk), pupil.pk in self.returned_today


def session_for(user, params) -> Session | None:
    school_ids = loan_school_ids(user=user)
    if not school_ids:
        raise PermissionDenied
    wanted = params.get("school", "")
    school_id = int(wanted) if str(wanted).isdigit() and int(wanted) in school_ids else school_ids[0]
    group, mode = params.get("group", ""), "in" if params.get("mode") == "in" else "out"
    school = School.objects.get(pk=school_id)
    session = Session(
        school=school,
        group=group,
        mode=mode,
        due_on=parse_date(params.get("due_on") or "") or None,
        condition_out=(params.get("condition_out") or "")[:500],
    )
    kind, _sep, value = group.partition(":")
    if kind not in ("form", "year") or not value:
        return session
    pupils = pupils_for(user=user).filter(school_id=school_id, is_active=True)
    pupils = pupils.filter(form=value) if kind == "form" else pupils.filter(year_group=value)
    session.pupils = list(pupils.order_by("last_name", "first_name", "pk"))
    pks = [p.pk for p in session.pupils]
    for loan in Loan.objects.open().filter(pupil_id__in=pks).select_related("asset"):
        session.lent[loan.pupil_id] = loan
    session.returned_today = set(
        Loan.objects.filter(pupil_id__in=pks, returned_on=timezone.localdate()).values_list("pupil_id", flat=True)
    )
    return session


def scan_record(*, user, session: Session, code: str, pupil_pk: str = "") -> tuple[str, str]:
    """One scan: ("ok" or "error", what to say)."""
    asset, problem = asset_for_code(user, session.school.pk, code)
    if asset is None:
        return "error", problem
    try:
        if session.mode == "out":
            current = Loan.objects.open().filter(asset=asset).select_related("pupil", "person").first()
            if current is not None:  # said first: the device's own state matters more than the list's
                return "error", services.already_lent_message(asset, current)
            chosen = next((p for p in session.waiting if str(p.pk) == str(pupil_pk)), None)
            pupil = chosen or (session.waiting[0] if session.waiting else None)
            if pupil is None:
                return "error", _("Everyone in %(group)s has a device.") % {"group": session.label}
            try:
                loan = services.loan_issue(
                    asset=asset, pupil=pupil, due_on=session.due_on, by=user, condition_out=session.condition_out
                )
            except ValidationError as exc:
                if chosen is not None or exc.code != "pupil_has_a_device":
                    raise
                # someone scanning for the same class at the same moment gave this pupil a device: the next one
                session.lent.update(
                    {
                        loan.pupil_id: loan
                        for loan in Loan.objects.open().filter(pupil_id__in=[p.pk for p in session.pupils])
                    }
                )
                if not session.waiting:
                    return "error", _("Everyone in %(group)s has a device.") % {"group": session.label}
                pupil = session.waiting[0]
                loan = services.loan_issue(
                    asset=asset, pupil=pupil, due_on=session.due_on, by=user, condition_out=session.condition_out
                )
            session.lent[pupil.pk] = loan
            return "ok", _("%(tag)s handed out to %(pupil)s.") % {"tag": asset.tag, "pupil": pupil}
        loan = Loan.objects.open().filter(asset=asset).select_related("pupil", "person").first()
        if loan is None:
            return "error", _("%(tag)s is not on loan: nothing to return.") % {"tag": asset.tag}
        services.loan_return(loan=loan, by=user)
        if loan.pupil_id:
            session.lent.pop(loan.pupil_id, None)
            session.returned_today.add(loan.pupil_id)
        return "ok", _("%(tag)s returned by %(who)s.") % {"tag": asset.tag, "who": loan.borrower}
    except ValidationError as exc:
        return "error", " ".join(exc.messages)


class ScanView(PermissionRequiredMixin, View):
    """GET: the page (choose a group and mode; then the scanning box). POST: one scan (htmx: the results only)."""

    permission = "loans.lend"
    template_name = "loans/scan.html"

    def _context(self, session, **extra):
        """The whole page's context; an htmx scan renders only the results, which need the session alone."""
        return {
            "session": session,
            "groups": classes_of(user=self.request.user, school_id=session.school.pk),
            "schools": loan_schools(user=self.request.user).only("id", "name"),
            "today": timezone.localdate(),
            **extra,
        }

    def get(self, request):
        session = session_for(request.user, request.GET)
        return render(request, self.template_name, self._context(session))

    def post(self, request):
        session = session_for(request.user, request.POST)
        if not session.pupils:
            raise Http404
        outcome, message = scan_record(
            user=request.user,
            session=session,
            code=request.POST.get("code", ""),
            pupil_pk=request.POST.get("pupil", ""),
        )
        if request.headers.get("HX-Request"):
            return render(
                request, "loans/_scan_results.html", {"session": session, "outcome": outcome, "message": message}
            )
        return render(request, self.template_name, self._context(session, outcome=outcome, message=message))
