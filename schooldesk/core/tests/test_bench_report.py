"""The LA-size part of `make bench` says why it did not run, and writes what it measured."""

from bench import la


def test_without_a_postgresql_server_the_part_is_reported_as_not_run():
    results = la.run("postgres://postgres@127.0.0.1:9/nowhere", reuse=True)
    assert results.problem.startswith("no PostgreSQL server at 127.0.0.1") and not results.passed
    lines = "\n".join(la.report_lines(results))
    assert "**Not run:** no PostgreSQL server" in lines


def test_the_figures_and_the_import_are_written_and_a_miss_fails_the_part():
    page = {
        "scenario": "Asset list, the LA's owner",
        "n": 200,
        "p50_ms": 40.0,
        "p95_ms": 120.5,
        "max_ms": 150.0,
        "budget_ms": 100.0,
        "pass": False,
    }
    report = {
        "scenario": "Service report, the whole LA",
        "n": 20,
        "p50_ms": 1400.0,
        "p95_ms": 1650.0,
        "max_ms": 1700.0,
        "budget_ms": 3000.0,
        "pass": True,
    }
    imported = {
        "rows": 10_000,
        "kb": 1425,
        "school": "Bench School 199",
        "upload_s": 0.2,
        "check_s": 0.7,
        "import_s": 2.9,
        "total_s": 3.8,
        "budget_s": 10.0,
        "pass": True,
    }
    results = la.LaResults(
        url="postgres://postgres@127.0.0.1:5432/schooldesk_bench_la",
        server="15.19",
        assets={"results": [page], "import": imported, "sizes": {"schools": 200}},
        reports={"results": [report]},
        failures=[page["scenario"]],
    )
    lines = "\n".join(la.report_lines(results))
    assert "| Asset list, the LA's owner | 200 | 40.0 | 120.5 | 150.0 | 100 ms | fail |" in lines
    assert "| Service report, the whole LA | 20 | 1400.0 | 1650.0 | 1700.0 | 3000 ms | pass |" in lines
    assert "**3.8 s** in all against a budget of 10 s: pass" in lines
    assert "PostgreSQL 15.19" in lines and "200 schools" in lines
    assert not results.passed


def test_each_page_is_shown_beside_its_floor_and_judged_by_the_ratio():
    from bench.run import FLOOR_LIST, FLOOR_PAGE, Scenario, floor_table

    def scenario(name, latencies):
        return Scenario(name, "GET", "/", 200, n=len(latencies), latencies=latencies, elapsed=1.0)

    lines = "\n".join(
        floor_table(
            [
                scenario("Incident list", [20.0, 20.0, 20.0]),
                scenario(FLOOR_LIST, [10.0] * 3),
                scenario("Incident page", [14.0] * 3),
                scenario(FLOOR_PAGE, [10.0] * 3),
            ]
        )
    )
    assert "| Incident list | 20.0 | 10.0 | 2.00× | 3.0 | 3.0 | no |" in lines
    assert "| Incident page | 14.0 | 10.0 | 1.40× | 3.0 | 3.0 | yes |" in lines


def test_the_floor_views_show_the_spocs_calls_and_nothing_of_another_school(cast, other, login):
    """The floor reads through the same scoping as the product: it is a fair floor, never a leak."""
    from django.test import override_settings

    from bench.floor import settings as floor_settings
    from schooldesk.incidents.tests.factories import IncidentFactory

    ours = IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector in room 4 is dim")
    theirs = IncidentFactory(school=other.school, by=other.reporter, summary="Another school's call")
    with override_settings(ROOT_URLCONF="bench.floor.urls", TEMPLATES=floor_settings.TEMPLATES):
        client = login(cast.spoc)
        page = client.get("/floor/incidents/").content.decode()
        assert ours.summary in page and theirs.summary not in page
        assert client.get(f"/floor/incidents/{ours.pk}/").status_code == 200
        assert client.get(f"/floor/incidents/{theirs.pk}/").status_code == 404
