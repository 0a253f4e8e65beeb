"""The People list's download, declared once (decision 0039): one row a person and school, in the staff-list
import's own columns (it imports back); core.exports writes it as CSV."""

from typing import NamedTuple

from schooldesk.core.tables import Column, Table


class PersonPlace(NamedTuple):
    """One row of the export: a person, a school's URN or name (or an organisation), their roles there."""

    person: object
    place: str
    roles: list[str]


PEOPLE_EXPORT = Table(
    columns=[
        Column("First name", "person.first_name"),
        Column("Last name", "person.last_name"),
        Column("Email", "person.email"),
        Column("Job title", "person.job_title"),
        Column("Roles", lambda row: "; ".join(row.roles)),
        Column("School", "place"),
        Column("Last sign-in", "person.last_login", "datetime"),
        Column("Can sign in", lambda row: "yes" if row.person.is_active else "no"),
    ],
)
