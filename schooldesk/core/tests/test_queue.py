"""The worker's SQLite queue keeps the durability of the app's own database (docs/decisions/0041)."""

from django.conf import settings

from schooldesk.core.queue import WalSqliteHuey


def test_the_sqlite_queue_waits_for_the_disk_no_more_than_the_database_does(tmp_path):
    queue = WalSqliteHuey("schooldesk-test", filename=str(tmp_path / "huey.sqlite3"))
    connection = queue.storage.conn
    assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert connection.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL (huey's own default is FULL, 2)
    queue.storage.close()


def test_an_installation_without_redis_uses_it():
    if not settings.REDIS_URL:
        assert settings.HUEY["huey_class"] == "schooldesk.core.queue.WalSqliteHuey"
