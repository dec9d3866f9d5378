"""``ruxue demo --with-county``: a county system beside the city. Its own SQLite under
``var/county/``, registered at the city as a client of both the case-report API and the city's
OpenID provider (its guardians log in through the city, which brokers the provincial login), a
worker that relays its stages, and a few cases already moved through their stages."""

import asyncio
import subprocess
from pathlib import Path

from sqlalchemy import delete

from ruxue.cli.run import data_note
from ruxue.county.models import Client
from ruxue.county.schemas import NewClient
from ruxue.county.service import add_client
from ruxue.kit import migrate
from ruxue.kit.db import Database

CLIENT_ID = "demo-wuzhong"
DISTRICT = "320506"


async def register(city_db: str, county_url: str) -> str:
    """(Re-)register the demo county; the secret is shown once, so a restart makes a new one."""
    db = Database(city_db)
    new = NewClient(
        client_id=CLIENT_ID,
        name="吴中区入学系统（演示县区）",
        district_code=DISTRICT,
        redirect_uris=[f"{county_url}/auth/callback"],
        post_logout_redirect_uris=[f"{county_url}/"],
        backchannel_logout_uri=f"{county_url}/auth/backchannel-logout",
        full_id_number=True,  # the county's enrollment needs the full ID number
        # 吴中区 families apply there, not at the city: the button opens the application itself
        enrollment_url=f"{county_url}/apply",
    )
    try:
        async with db.write_session() as session:
            await session.execute(delete(Client).where(Client.client_id == CLIENT_ID))
            return await add_client(session, new)
    finally:
        await db.dispose()


def county_env(
    env: dict[str, str], var_dir: Path, city_url: str, port: int, secret: str
) -> dict[str, str]:
    county_var = var_dir / "county"
    return {
        **env,
        "RUXUE_VAR_DIR": str(county_var),
        "RUXUE_DATABASE_URL": f"sqlite+aiosqlite:///{county_var / 'ruxue.db'}",
        "RUXUE_QUEUE_URL": f"sqlite:///{county_var / 'queue.db'}",
        "RUXUE_PUBLIC_URL": f"http://localhost:{port}",
        "RUXUE_IDP_URL": f"{city_url}/oidc",
        "RUXUE_OIDC_CLIENT_ID": CLIENT_ID,
        "RUXUE_OIDC_CLIENT_SECRET": secret,
        "RUXUE_UPSTREAM_URL": city_url,
        "RUXUE_UPSTREAM_CLIENT_ID": CLIENT_ID,
        "RUXUE_UPSTREAM_CLIENT_SECRET": secret,
        "RUXUE_COUNTY_DISTRICT": DISTRICT,  # 吴中区 only; the others apply at the city
    }


def start_county(
    ruxue: list[str],
    env: dict[str, str],
    var_dir: Path,
    city_db: str,
    city_port: int,
    port: int,
    dataset: Path,
) -> list["subprocess.Popen[bytes]"]:
    """Migrate and seed the county, register it at the city, start its app and worker."""
    city_url = f"http://127.0.0.1:{city_port}"
    # another host name than the city's: a browser keeps cookies per host, not per port
    secret = asyncio.run(register(city_db, f"http://localhost:{port}"))
    cenv = county_env(env, var_dir, city_url, port, secret)
    (var_dir / "county").mkdir(parents=True, exist_ok=True)
    print(data_note(cenv["RUXUE_DATABASE_URL"], "县区"), flush=True)
    migrate.upgrade(cenv["RUXUE_DATABASE_URL"])
    subprocess.run([*ruxue, "schools", "import", str(dataset)], env=cenv, check=True)
    subprocess.run([*ruxue, "county", "demo-cases", "--count", "30"], env=cenv, check=True)
    return [
        subprocess.Popen([*ruxue, "serve", "--port", str(port)], env=cenv),
        subprocess.Popen([*ruxue, "worker", "--workers", "1"], env=cenv),
        subprocess.Popen([*ruxue, "county", "relay", "--loop", "--interval", "5"], env=cenv),
    ]
