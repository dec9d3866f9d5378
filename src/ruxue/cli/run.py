"""``ruxue serve|worker|sandbox|demo``: the long-running processes."""

import asyncio
import datetime as dt
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url

from ruxue.cli.reuseport import APP, AppServer, proxy_options, serve_many
from ruxue.dataset.service import DatasetError, load_dataset
from ruxue.kit import migrate
from ruxue.kit.logging import configure_logging, uvicorn_log_config
from ruxue.ops import multiproc
from ruxue.settings import Settings, get_settings, require_safe

console = Console(stderr=True)
EXAMPLE = Path(__file__).resolve().parent.parent / "sandbox" / "example-dataset.json"
# The example dataset is for 2026; the demo's clock sits inside that year's registration window
# (override with RUXUE_NOW). Pages show a banner saying so.
DEMO_NOW = "2026-06-15T10:00:00+08:00"
DEMO_STAFF_PASSWORD = "ruxue-demo-2026"


def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    workers: int = typer.Option(1, help="worker processes"),
) -> None:
    """Run the enrollment web application."""
    settings = get_settings()
    require_safe(settings)
    configure_logging(settings.log_json)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    multiproc.prepare(settings.var_dir / "metrics")  # before prometheus-client is imported
    if workers > 1:
        serve_many(host, port, workers)
        return
    config = uvicorn.Config(
        APP, host=host, port=port, log_config=uvicorn_log_config(), **proxy_options(settings)
    )
    AppServer(config).run()


def worker(
    workers: int = typer.Option(2, help="worker threads"),
    nice: int = typer.Option(
        0, min=0, max=19, help="lower the worker's CPU priority (peak day: the guardians first)"
    ),
) -> None:
    """Run the task-queue consumer (huey)."""
    settings = get_settings()
    require_safe(settings)
    if nice:
        # on a shared machine the queue (archive packages, licences) drains when the web
        # processes leave the CPU idle; nothing is lost, jobs only wait
        os.nice(nice)
    multiproc.prepare(settings.var_dir / "metrics")  # summed with the app's by its /metrics
    from ruxue.worker import start

    huey = start(settings)
    configure_logging(settings.log_json)
    # idle polling backs off to at most 1 s (huey's default is 10 s): an SMS or an archive package
    # should follow its decision within a second, and one small query a second costs nothing
    consumer = huey.create_consumer(workers=workers, worker_type="thread", max_delay=1.0)
    consumer.run()


def sandbox(
    dataset: Path = typer.Option(EXAMPLE, exists=True, dir_okay=False, help="dataset JSON"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8100),
    public_url: str = typer.Option(
        "", help="URL the sandbox is reached at (default http://HOST:PORT)"
    ),
) -> None:
    """Run the department sandbox: identity platform and department services."""
    from ruxue.sandbox.app import create_sandbox_app

    settings = get_settings()
    if settings.mode == "production":  # persons, codes and keys anyone may read: never for real
        console.print("[red]沙箱只能在演示或测试模式下运行（RUXUE_MODE=demo 或 test）。[/red]")
        raise typer.Exit(1)
    configure_logging(settings.log_json)
    started = time.perf_counter()
    with console.status(f"加载数据集 {dataset} …"):
        try:
            data = load_dataset(dataset)
        except DatasetError as exc:
            console.print(f"[red]数据集无效[/red] {exc.path}: {exc.message}")
            raise typer.Exit(1) from None
        app = create_sandbox_app(data, settings, public_url or f"http://{host}:{port}")
    console.print(f"沙箱已加载 {len(data.persons)} 人（{time.perf_counter() - started:.1f} 秒）")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def demo(
    dataset: Path = typer.Option(EXAMPLE, exists=True, dir_okay=False),
    port: int = typer.Option(8000),
    sandbox_port: int = typer.Option(8100),
    with_county: bool = typer.Option(False, help="a county system beside the city"),
    county_port: int = typer.Option(8001),
) -> None:
    """Embedded demo: SQLite under var/, the sandbox as a second process, everything seeded."""
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    env = demo_env(os.environ, port, sandbox_port)
    ruxue = [sys.executable, "-m", "ruxue.cli.main"]
    for taken in (p for p in (port, sandbox_port) if _port_in_use(p)):
        console.print(
            f"[red]端口 {taken} 已被占用（可能已有演示环境在运行），请先停止它或换用 --port / --sandbox-port[/red]"
        )
        raise typer.Exit(1)
    # SIGTERM (kill, a closing terminal) ends the demo like Ctrl+C: the finally below stops the children
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    console.print(data_note(settings.resolved_database_url(), "市级"))
    with console.status("迁移数据库，导入学校和施教区…"):
        migrate.upgrade(settings.resolved_database_url())
        subprocess.run([*ruxue, "schools", "import", str(dataset)], env=env, check=True)
        staff_accounts = asyncio.run(_seed_staff(settings.resolved_database_url()))
        allocation = asyncio.run(_seed_policy(settings.resolved_database_url()))
    procs = [
        subprocess.Popen(
            [*ruxue, "sandbox", "--dataset", str(dataset), "--port", str(sandbox_port)], env=env
        ),
        subprocess.Popen([*ruxue, "serve", "--port", str(port)], env=env),
        subprocess.Popen([*ruxue, "worker"], env=env),
    ]
    try:
        wait_ready(f"{sandbox_url}/_sandbox/health", procs)
        wait_ready(f"http://127.0.0.1:{port}/healthz", procs)
        if with_county:
            procs += _county(ruxue, env, (port, county_port), dataset)
        _announce(port, sandbox_url, staff_accounts, allocation)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=15)


def data_note(url: str, who: str) -> str:
    """What a start of the demo does with the data it finds, said before it starts."""
    path = make_url(url).database
    if not path or not url.startswith("sqlite"):
        return f"{who}演示数据：{make_url(url).render_as_string(hide_password=True)}"
    if Path(path).exists():
        return f"{who}演示数据：沿用 {path} 中已有的数据（全新开始请先停止演示并删除该文件）"
    return f"{who}演示数据：新建于 {path}"


def demo_env(environ: Mapping[str, str], port: int, sandbox_port: int) -> dict[str, str]:
    """The demo's processes' environment: every department service at the sandbox's port."""
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    return {
        "RUXUE_NOW": DEMO_NOW,
        **environ,
        "RUXUE_EXCHANGE_URL": f"{sandbox_url}/exchange",
        "RUXUE_IDP_URL": f"{sandbox_url}/idp",
        "RUXUE_SMS_URL": f"{sandbox_url}/_sandbox/sms",
        "RUXUE_WORKORDER_URL": f"{sandbox_url}/_sandbox/12345/workorders",
        "RUXUE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "RUXUE_MODE": "demo",  # development keys and http are allowed, and only, here and in tests
    }


def _county(
    ruxue: list[str], env: dict[str, str], ports: tuple[int, int], dataset: Path
) -> list[subprocess.Popen[bytes]]:
    from ruxue.cli.county_demo import start_county

    port, county_port = ports
    settings = get_settings()
    city_db = settings.resolved_database_url()
    county = start_county(ruxue, env, settings.var_dir, city_db, port, county_port, dataset)
    wait_ready(f"http://127.0.0.1:{county_port}/healthz", county)
    console.print(f"  县区系统（吴中区，经市级统一身份登录）: http://localhost:{county_port}/")
    console.print(
        "    吴中区户籍的学生（如测试账号陈伟之子）在县区系统报名；市级系统不受理，并给出县区系统链接"
    )
    console.print(f"  市级县区数据汇聚（管理员）: http://127.0.0.1:{port}/staff/county")
    return county


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_ready(url: str, procs: list[subprocess.Popen[bytes]], timeout: float = 120) -> None:
    """Until ``url`` answers 200; exits when one of ``procs`` ends first or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise typer.Exit(1)
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)  # polling a readiness condition, bounded by the deadline
    console.print(f"[red]{url} 未就绪[/red]")
    raise typer.Exit(1)


async def _seed_staff(url: str) -> list[tuple[str, str]]:
    from ruxue.cli.staff import seed_demo_staff
    from ruxue.kit.db import Database

    db = Database(url)
    try:
        return await seed_demo_staff(db, DEMO_STAFF_PASSWORD)
    finally:
        await db.dispose()


def _demo_now() -> dt.datetime:
    return dt.datetime.fromisoformat(os.environ.get("RUXUE_NOW", DEMO_NOW))


async def _seed_policy(url: str) -> str:
    """The demo's allocation district (姑苏区): its policy and a small school (idempotent)."""
    from ruxue.cli.policy import seed_demo_policy
    from ruxue.kit.db import Database

    now = _demo_now()
    db = Database(url, clock=lambda: now)  # the demo's clock, as its processes see it
    try:
        return await seed_demo_policy(db, now.year)
    finally:
        await db.dispose()


def demo_code_command(username: str, settings: Settings) -> str:
    """``ruxue staff demo-code`` as a shell line that works where it is pasted: in demo mode (a
    plain command refuses the development keys) on the demo's database (``var/`` is relative)."""
    env = {"RUXUE_MODE": "demo", "RUXUE_VAR_DIR": str(settings.var_dir.resolve())}
    if settings.database_url and make_url(settings.database_url).password is None:
        env["RUXUE_DATABASE_URL"] = settings.database_url  # one with a password stays unprinted
    ruxue = Path(sys.executable).with_name("ruxue")
    program = [str(ruxue)] if ruxue.exists() else [sys.executable, "-m", "ruxue.cli.main"]
    words = [f"{k}={v}" for k, v in env.items()] + program + ["staff", "demo-code", username]
    return shlex.join(words)


def _announce(
    port: int, sandbox_url: str, staff_accounts: list[tuple[str, str]], allocation: str
) -> None:
    accounts = httpx.get(f"{sandbox_url}/_sandbox/accounts", timeout=5).json()
    now = os.environ.get("RUXUE_NOW", DEMO_NOW)
    console.print(f"\n[bold]ruxue 演示环境已启动[/bold]（系统时间设为 {now}，示例数据为 2026 年）")
    console.print(f"  入学一件事（监护人）: http://127.0.0.1:{port}/")
    console.print(f"  部门沙箱与测试账号:   {sandbox_url}/")
    console.print("  测试账号（在统一身份认证页输入身份证号码，验证码显示在页面上）：")
    for a in accounts:
        console.print(f"    {a['name']}  {a['id_number']}  手机 {a.get('phone', '')}")
    console.print("  第 3 步填写配偶手机号：用上面列出的配偶手机号（须与其实名登记号码一致）")
    console.print("  配偶授权验证码、结果短信：在部门沙箱页面“已发送短信”中查看")
    console.print(
        f"  工作人员入口: http://127.0.0.1:{port}/staff/login  密码 {DEMO_STAFF_PASSWORD}"
    )
    for username, label in staff_accounts:
        console.print(f"    {username}  {label}")
        command = demo_code_command(username, get_settings())
        console.print(f"      动态口令（另开终端运行）：{escape(command)}", soft_wrap=True)
    console.print(f"  {allocation}（王建国、李娜、孙磊三家的孩子都在该校施教区）")
    console.print(f"    现行政策：ruxue policy show --district 320508 --year {_demo_now().year}")
    console.print(f"    政策版本（管理员）: http://127.0.0.1:{port}/staff/policy")
    console.print(f"    学位分配（管理员，区县代码 320508）: http://127.0.0.1:{port}/staff/cohort")
    console.print(f"    分配结果公示（公开）: http://127.0.0.1:{port}/cohort/lines")
    console.print("  按 Ctrl+C 停止\n")
