"""The task queue: huey on SQLite for the embedded default, on Redis when scaled (``RUXUE_QUEUE_URL``)."""

from huey import Huey, RedisHuey, SqliteHuey

from ruxue.settings import get_settings


def make_huey(url: str) -> Huey:
    if url.startswith("redis://"):
        return RedisHuey("ruxue", url=url)
    path = url.removeprefix("sqlite:///")
    return SqliteHuey("ruxue", filename=path)


_settings = get_settings()
_settings.var_dir.mkdir(parents=True, exist_ok=True)
huey = make_huey(_settings.resolved_queue_url())


def load_tasks() -> None:
    """Import every feature's tasks so the consumer knows them."""
    import ruxue.archive.tasks
    import ruxue.exchange.tasks
    import ruxue.notify.tasks  # noqa: F401
