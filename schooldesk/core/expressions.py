"""Small query expressions the ORM lacks, each rendered for SQLite and for PostgreSQL."""

from __future__ import annotations

from django.db.models import BooleanField, Func, Q


class Rare(Func):
    """A condition few rows meet, said so to SQLite's query planner: `likelihood(condition, 0.01)` there, the
    condition alone elsewhere (PostgreSQL's statistics already know how common each value is).

    SQLite's statistics (ANALYZE, without STAT4) hold how many rows share a value on average, not how many hold
    each value; a condition such as "waiting on someone" then looks as common as any status, and for a short list
    in date order SQLite walks a school's every call in date order to find the few that meet it, a scan that
    grows with the years, instead of reading only those through the status index and sorting them. The
    likelihood is a constant (SQLite refuses a bound parameter there)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, condition: Q, *, likelihood: float = 0.01):
        if not 0 < likelihood < 1:
            raise ValueError("likelihood is between 0 and 1")
        self.likelihood = likelihood
        super().__init__(condition)

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"likelihood({sql}, {float(self.likelihood)!r})", params
