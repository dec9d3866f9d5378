"""Measure how long the sandbox takes to load a dataset and how much memory it then holds."""

import sys
import time
from pathlib import Path

import psutil

from ruxue.dataset.service import load_dataset
from ruxue.sandbox.app import create_sandbox_app
from ruxue.settings import Settings

started = time.perf_counter()
data = load_dataset(Path(sys.argv[1]))
loaded = time.perf_counter()
app = create_sandbox_app(data, Settings(), "http://127.0.0.1:8100")
ready = time.perf_counter()
rss = psutil.Process().memory_info().rss / 2**20
print(
    f"persons {len(data.persons)}: check+decode {loaded - started:.1f} s, indexes {ready - loaded:.1f} s, "
    f"total {ready - started:.1f} s, RSS {rss:.0f} MiB"
)
