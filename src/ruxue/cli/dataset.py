"""``ruxue dataset generate|check``."""

import time
from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.progress import Progress

from ruxue.dataset.generate import generate_city
from ruxue.dataset.messages import in_chinese
from ruxue.dataset.service import DatasetError, load_dataset, summary

app = typer.Typer(
    help="Sandbox datasets: generate a synthetic city, check a file.", no_args_is_help=True
)
console = Console(stderr=True)


@app.command()
def generate(
    families: int = typer.Option(..., min=1, max=2_000_000, help="number of families"),
    seed: int = typer.Option(1, help="random seed; the same seed gives the same file"),
    year: int = typer.Option(2026, help="enrollment year the cohorts are built for"),
    out: Path = typer.Option(..., help="output JSON file"),
    version: int = typer.Option(
        1, min=1, max=2, help="dataset version: 2 adds what the cohort rules read (cohort.md)"
    ),
) -> None:
    """Write a deterministic synthetic city in the dataset format."""
    started = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("生成家庭", total=families)
        data = generate_city(
            families, seed, year, progress=lambda n: progress.advance(task, n), version=version
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_bytes(orjson.dumps(data))
    tmp.replace(out)
    counts = ", ".join(f"{k} {len(v)}" for k, v in data.items() if isinstance(v, list))
    console.print(
        f"已写入 {out}（{out.stat().st_size / 1e6:.1f} MB，{time.perf_counter() - started:.1f} 秒）：{counts}"
    )


@app.command()
def check(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Check a dataset file; a bad one is refused with the first bad path."""
    started = time.perf_counter()
    with console.status("校验数据集…"):
        try:
            data = load_dataset(file)
        except DatasetError as exc:
            console.print(
                f"[red]数据集无效[/red]，共 {len(exc.problems)} 处问题（未加载任何数据）："
            )
            for path, message in exc.problems:
                console.print(f"  {path}: {in_chinese(message)}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None
    counts = ", ".join(f"{k} {v}" for k, v in summary(data).items())
    console.print(f"数据集有效（{time.perf_counter() - started:.1f} 秒）：{counts}")
