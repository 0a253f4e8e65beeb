"""The LA-size part of `make bench` says why it did not run, and writes what it measured."""

from bench import la


def test_without_a_postgresql_server_the_part_is_reported_as_not_run():
    results = la.run("postgres://postgres@127.0.0.1:9/nowhere", reuse=True)
    assert results.problem.startswith("no PostgreSQL server at 127.0.0.1") and not results.passed
    lines = "\n".join(la.report_lines(results))
    assert "**Not run:** no PostgreSQL server" in lines


def test_the_figures_and_the_import_are_written_and_a_miss_fails_the_part():
    page = {"scenario": "Asset list, the LA's owner", "n": 200, "p50_ms": 40.0, "p95_ms": 120.5, "max_ms": 150.0,
            "budget_ms": 100.0, "pass": False}
    report = {"scenario": "Service report, the whole LA", "n": 20, "p50_ms": 1400.0, "p95_ms": 1650.0,
              "max_ms": 1700.0, "budget_ms": 3000.0, "pass": True}
    imported = {"rows": 10_000, "kb": 1425, "school": "Bench School 199", "upload_s": 0.2, "check_s": 0.7,
                "import_s": 2.9, "total_s": 3.8, "budget_s": 10.0, "pass": True}
    results = la.LaResults(url="postgres://postgres@127.0.0.1:5432/schooldesk_bench_la", server="15.19",
                           assets={"results": [page], "import": imported, "sizes": {"schools": 200}},
                           reports={"results": [report]}, failures=[page["scenario"]])
    lines = "\n".join(la.report_lines(results))
    assert "| Asset list, the LA's owner | 200 | 40.0 | 120.5 | 150.0 | 100 ms | fail |" in lines
    assert "| Service report, the whole LA | 20 | 1400.0 | 1650.0 | 1700.0 | 3000 ms | pass |" in lines
    assert "**3.8 s** in all against a budget of 10 s: pass" in lines
    assert "PostgreSQL 15.19" in lines and "200 schools" in lines
    assert not results.passed
