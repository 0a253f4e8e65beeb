"""`make profile` (bench/profile.py) shares a profile's time out into buckets that add up to the whole, a function of
no bucket counting where its callers were; and it writes its part of docs/benchmarks.md without touching the rest,
as `make bench` keeps that part when it writes the rest."""

import cProfile
import pstats

import pytest
from django.db import connection
from django.template import Context, Template

from bench import profile, sections

HANDLER = ("/venv/site-packages/django/core/handlers/base.py", 1, "_get_response")
VIEW = ("/work/schooldesk/incidents/views.py", 2, "get")
TEMPLATE = ("/venv/site-packages/django/template/base.py", 3, "render")
JSON = ("/usr/lib/python3.11/json/__init__.py", 4, "dumps")  # of no bucket: called by the view and the template
DEEPER = ("/usr/lib/python3.11/json/encoder.py", 5, "encode")  # of no bucket, called only by JSON
SQL = ("~", 0, "<method 'execute' of 'sqlite3.Cursor' objects>")


def test_a_function_of_no_bucket_counts_where_its_callers_were():
    table = {  # func: (primitive calls, calls, own time, cumulative time, {caller: (.., .., own, cumulative)})
        HANDLER: (1, 1, 0.5, 10.0, {}),
        VIEW: (1, 1, 1.0, 9.5, {HANDLER: (1, 1, 1.0, 9.5)}),
        TEMPLATE: (1, 1, 2.0, 5.375, {VIEW: (1, 1, 2.0, 5.375)}),
        JSON: (2, 2, 4.0, 4.5, {VIEW: (1, 1, 1.0, 1.125), TEMPLATE: (1, 1, 3.0, 3.375)}),
        DEEPER: (1, 1, 0.5, 0.5, {JSON: (1, 1, 0.5, 0.5)}),
        SQL: (1, 1, 2.0, 2.0, {VIEW: (1, 1, 2.0, 2.0)}),
    }
    seconds = profile.breakdown(table)
    assert seconds["other"] == pytest.approx(0.5)
    assert seconds["view"] == pytest.approx(1.0 + 1.0 + 0.125)  # its own, its json, a quarter of encode
    assert seconds["templates"] == pytest.approx(2.0 + 3.0 + 0.375)
    assert seconds["SQL"] == pytest.approx(2.0)
    assert sum(seconds.values()) == pytest.approx(sum(row[2] for row in table.values()))
    assert set(seconds) == set(profile.SHOWN)


def test_the_buckets_of_a_real_profile_add_up_to_its_time(db):
    template = Template("{% for row in rows %}<td>{{ row.name|upper }}</td>{% endfor %}")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 UNION SELECT 2")
            rows = [{"name": f"row {n}"} for (n,) in cursor.fetchall()]
        template.render(Context({"rows": rows * 20}))
    prof.disable()
    stats = pstats.Stats(prof)
    seconds = profile.breakdown(stats)
    assert sum(seconds.values()) == pytest.approx(stats.total_tt)
    assert seconds["templates"] > 0 and seconds["SQL"] > 0
    assert profile.heaviest(stats) and all(not name.startswith("/") for name, *_ in profile.heaviest(stats))


def part(label: str, text: str) -> str:
    return f"{sections.begin(label)}\n## Where the time goes ({label})\n\n{text}\n{sections.end(label)}\n"


def test_the_profile_replaces_only_its_part_of_the_record(tmp_path):
    record = tmp_path / "benchmarks.md"
    record.write_text("# Benchmarks\n\n| table |\n\n## Data set\n\n- calls\n")
    profile.write(record, part("before", "first"))
    text = record.read_text()
    assert text.index("| table |") < text.index("first") < text.index("## Data set")
    profile.write(record, part("after", "later"))
    profile.write(record, part("before", "second"))
    text = record.read_text()
    assert "first" not in text and text.count(sections.begin("before")) == 1
    assert text.index("second") < text.index("later") < text.index("## Data set")
    # `make bench` writes the file anew and keeps both parts as they were
    kept = sections.keep(text, "# Benchmarks\n\n| new table |\n\n## Data set\n")
    assert "| table |" not in kept and kept.index("| new table |") < kept.index("second") < kept.index("later")
    assert kept.index("later") < kept.index("## Data set")


def test_only_splits_at_the_commas_between_names():
    from bench.run import only_names

    assert only_names("Incident list, filtered,Floor: call list, filtered (bare),Diary") == {
        "Incident list, filtered",
        "Floor: call list, filtered (bare)",
        "Diary",
    }
    assert only_names("Incident list,Home, Log a call") == {"Incident list", "Home", "Log a call"}
    assert only_names("Incident list,Something new") == {"Incident list", "Something new"}
