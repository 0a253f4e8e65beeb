"""Demo requests for change, in every state, with milestones, decisions and reviews; the standard changes
each demo school has pre-authorised; and (first) the demo procedures and problems they build on.

`changes_demo(demo)` is the one call `manage.py demo_seed` makes for problems, changes and procedures.
Everything goes through the services, so completed changes really put their kit into the registers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from schooldesk.assets.models import Asset, AssetType
from schooldesk.assets.services import asset_types_ensure
from schooldesk.changes.models import ChangeRequest, StandardChange
from schooldesk.changes.services import (
    affected_asset_add,
    change_complete,
    change_create,
    change_decide,
    change_review,
    change_submit,
    change_withdraw,
    milestone_add,
    milestone_done,
    new_asset_add,
    new_licence_add,
    standard_change_save,
)
from schooldesk.demo.problems import problems_demo
from schooldesk.demo.procedures import procedures_demo
from schooldesk.locations.models import Location


def _fresh(change: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_related("school").get(pk=change.pk)


def _authorise(change, spoc, owner, reason) -> ChangeRequest:
    change = change_submit(change=_fresh(change), by=spoc, version=_fresh(change).version)
    if change.status == "submitted":
        change_decide(change=change, by=owner, version=change.version, authorise=True, reason=reason)
    return _fresh(change)


def _steps(change, by, today, steps) -> None:
    """(title, days from today, who, done)"""
    for title, days, who, done in steps:
        milestone = milestone_add(
            change=_fresh(change), by=by, title=title, due_on=today + timedelta(days=days), assigned_to=who
        )
        if done:
            milestone_done(milestone=milestone, by=who or by)


def changes_demo(demo, *, now=None) -> None:

    now = now or timezone.now()
    procedures_demo(demo, now=now)
    problems = problems_demo(demo, now=now)
    today = timezone.localdate(now)
    for key, school in demo.schools.items():
        asset_types_ensure(school=school)
        roles = demo.people[key].by_role
        spoc, owner, tech = roles["spoc"], roles["owner"], roles["technician"]
        types = {t.name: t for t in AssetType.objects.filter(school=school)}
        where = {loc.name: loc for loc in Location.objects.filter(school=school)}
        prefix = (school.short_name or school.name)[:3].upper()
        printer = standard_change_save(
            by=owner,
            standard=StandardChange(
                school=school,
                authorised_by=owner,
                title="Add a new printer to the print server",
                description="Install the driver on the print server, share the printer, deploy it by group policy to "
                "the room's computers and add it to the asset register. No downtime.",
            ),
        )
        standard_change_save(
            by=owner,
            standard=StandardChange(
                school=school,
                authorised_by=owner,
                title="Install an approved application on the curriculum computers",
                description="Only applications on the approved list; packaged and deployed out of lesson time.",
            ),
        )

        # Implemented and waiting for its review: a standard change that brought a new printer.
        office = change_create(
            school=school,
            by=spoc,
            title="New printer for the school office",
            reason="The old office printer is being retired.",
            change_type="standard",
            standard_change=printer,
            estimated_cost=Decimal("240.00"),
            planned_on=today - timedelta(days=5),
            affected_locations=[where["School office"]],
            assigned_to=tech,
        )
        new_asset_add(
            change=office,
            by=spoc,
            tag=f"{prefix}-PRN-OFF2",
            asset_type=types["Printer"],
            make="HP",
            model="LaserJet Pro M404dn",
            location=where["School office"],
            cost=Decimal("240.00"),
            supplier=demo.suppliers.get("reseller"),
        )
        _steps(office, spoc, today, [("Printer delivered", -8, spoc, True), ("Installed and shared", -5, tech, True)])
        office = _authorise(office, spoc, owner, "")
        change_complete(
            change=office,
            by=spoc,
            version=office.version,
            outcome="successful",
            implemented_on=today - timedelta(days=5),
            note="Installed; staff told by email.",
        )

        # Authorised and under way, with one milestone overdue.
        if key == "oakfield":
            title, problem = "Replace the Year 5 Wi-Fi access point", problems["wifi"]
            reason = f"Solves {problem.reference}: the Year 5 access point cannot serve a full class of Chromebooks."
            room, kit = where["Year 5 classroom"], ("Access point", "Ubiquiti", "UniFi U6 Pro", Decimal("165.00"))
        else:
            title, problem = "Refresh the Room 21 computers", None
            reason = "The Room 21 PCs are seven years old and cannot run the new CAD software."
            room, kit = where["Room 21 (computing)"], ("Desktop", "Dell", "OptiPlex 3000 Micro", Decimal("545.00"))
        works = change_create(
            school=school,
            by=tech,
            title=title,
            reason=reason,
            problem=problem,
            risk="medium",
            impact=f"{room.name} without the network for about an hour, after school.",
            priority="high",
            estimated_cost=kit[3] * 2,
            affected_locations=[room],
            assigned_to=tech,
            planned_on=today + timedelta(days=6),
            backout_plan="Put the old equipment back.",
        )
        for n in (1, 2):
            new_asset_add(
                change=works,
                by=tech,
                tag=f"{prefix}-CHG-{n:02d}",
                asset_type=types[kit[0]],
                make=kit[1],
                model=kit[2],
                location=room,
                cost=kit[3],
                supplier=demo.suppliers.get("reseller"),
            )
        if key == "riverside":
            new_licence_add(
                change=works,
                by=tech,
                product="Autodesk Fusion for Education",
                publisher="Autodesk",
                licence_type="site",
                starts_on=today,
                cost=Decimal("0.00"),
            )
        old = Asset.objects.filter(school=school, location=room, asset_type=types[kit[0]]).order_by("tag").first()
        if old is not None:
            affected_asset_add(
                change=works, by=tech, asset=old, new_status="retired", note="Replaced; kept as a spare part"
            )
        _steps(
            works,
            tech,
            today,
            [
                ("Quote approved and order placed", -10, spoc, True),
                ("Equipment delivered", -2, spoc, False),
                ("Install after school", 6, tech, False),
                ("Test with a full class", 8, tech, False),
            ],
        )
        _authorise(works, spoc, owner, "Within the devolved capital budget; do it after school.")

        # Waiting for the owner; a draft; a rejected one; a withdrawn one.
        broadband = change_create(
            school=school,
            by=spoc,
            title="Upgrade the broadband to 500 Mb/s",
            reason="Online assessments stall when several classes stream video.",
            risk="medium",
            estimated_cost=Decimal("1800.00"),
            planned_on=today + timedelta(days=30),
        )
        change_submit(change=broadband, by=spoc, version=broadband.version)
        change_create(
            school=school,
            by=tech,
            title="Replace the staff room PC",
            reason="It takes ten minutes to start and is out of warranty.",
            estimated_cost=Decimal("545.00"),
        )
        panels = change_create(
            school=school,
            by=spoc,
            title="Interactive panels in every classroom",
            reason="Projectors are failing and bulbs cost more each year.",
            risk="high",
            estimated_cost=Decimal("28000.00"),
        )
        change_submit(change=panels, by=spoc, version=panels.version)
        change_decide(
            change=_fresh(panels),
            by=owner,
            version=_fresh(panels).version,
            authorise=False,
            reason="Not in this year's budget: bring it back for April with a three-year replacement plan.",
        )
        cloud = change_create(
            school=school,
            by=spoc,
            title="Move the MIS to the cloud version",
            reason="The supplier ends support for the server version next year.",
        )
        change_withdraw(
            change=cloud, by=spoc, version=cloud.version, reason="The LA is moving every school together next year."
        )

        # Closed: one successful and reviewed, one that failed and was backed out.
        cabinet = change_create(
            school=school,
            by=tech,
            title="Move the server into the comms room cabinet",
            reason="The server sits on the floor of the office cupboard.",
            risk="medium",
            planned_on=today - timedelta(days=30),
        )
        cabinet = _authorise(cabinet, spoc, owner, "Yes: during half-term.")
        change_complete(
            change=cabinet,
            by=owner,
            version=cabinet.version,
            outcome="successful",
            implemented_on=today - timedelta(days=28),
        )
        change_review(
            change=_fresh(cabinet),
            by=owner,
            version=_fresh(cabinet).version,
            review="Done in two hours; no calls about it afterwards. Label the patch panel next time.",
        )
        update = change_create(
            school=school,
            by=tech,
            title="Update the firewall firmware",
            reason="Security fixes from the vendor.",
            risk="high",
            planned_on=today - timedelta(days=14),
        )
        update = _authorise(update, spoc, owner, "Yes, after school with the back-out plan ready.")
        change_complete(
            change=update,
            by=spoc,
            version=update.version,
            outcome="backed_out",
            implemented_on=today - timedelta(days=14),
            note="VPN to the LA failed; old firmware restored.",
        )
        change_review(
            change=_fresh(update),
            by=spoc,
            version=_fresh(update).version,
            review="The new firmware breaks the LA VPN. Waiting for the vendor's fix; raise a new request then.",
        )
