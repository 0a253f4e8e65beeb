"""The worker's queue on SQLite (no REDIS_URL): huey's own SQLite storage, with the durability the app's database
already has (docs/decisions/0041).

Huey opens its SQLite file with SQLite's default `synchronous=FULL`, so every task queued waits for the disk (an
fsync: about 5 ms on the bench machine, the largest single cost of logging a call). In WAL mode `synchronous=NORMAL`
loses nothing when a process or the worker crashes; only a power cut or an operating-system crash can lose the last
few commits, which is the same promise the app's own database makes (config/settings.py: the calls themselves are
written that way) and the one Redis makes with its default `appendfsync everysec`. Imports nothing from Django:
settings name this class before the apps load."""

from huey import SqliteHuey
from huey.storage import SqliteStorage


class WalSqliteStorage(SqliteStorage):
    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


class WalSqliteHuey(SqliteHuey):
    storage_class = WalSqliteStorage
