"""Rate limits on logins and on the public order routes: counted in PostgreSQL, so two
API processes on one database count together; the answer past a limit is a 429
problem+json with Retry-After, and the next window lets a correct login in."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fixtures.databases import create_database, drop_database
from fixtures.support import PASSWORD, Tenant, assert_problem, make_tenant
from fixtures.world import build_world

from ticketing import clock
from ticketing.app import create_app
from ticketing.db.engine import create_engine, create_sessionmaker
from ticketing.db.migrate import upgrade
from ticketing.settings import RateLimitSettings, Settings
from ticketing.tenancy.roles import Role

WINDOW = 60
LIMITS = RateLimitSettings(
    window_seconds=WINDOW,
    login_per_account=5,
    login_per_address=8,
    public_window_seconds=WINDOW,
    public_failures_per_address=3,
)


@dataclass
class Two:
    """Two API apps, each with its own engine (its own connections), on one database."""

    apps: list[object]
    tenant: Tenant

    def client(self, process: int, address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.apps[process], client=(address, 40000))  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url="http://podium.test")


@pytest.fixture
def frozen() -> Iterator[list[datetime]]:
    """The clock, at the start of a rate-limit window; tests move it on."""
    start = datetime.fromtimestamp((int(datetime.now(UTC).timestamp()) // WINDOW + 1) * WINDOW, UTC)
    now = [start + timedelta(seconds=1)]
    clock.set_clock(lambda: now[0])
    yield now
    clock.set_clock(None)


@pytest.fixture
async def two(server_url: str, settings: Settings) -> AsyncIterator[Two]:
    database = create_database(server_url, prefix="podium_limits")
    upgrade(database)
    engines = [create_engine(database, pool_size=3) for _ in range(2)]
    makers = [create_sessionmaker(engine) for engine in engines]
    config = settings.model_copy(update={"database_url": database, "ratelimit": LIMITS})
    try:
        async with makers[0]() as session:
            tenant = await make_tenant(session)
        yield Two([create_app(config, maker) for maker in makers], tenant)
    finally:
        for engine in engines:
            await engine.dispose()
        drop_database(database)


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/auth/login", json={"email": email, "password": password})


def retry_after(response: httpx.Response) -> int:
    assert_problem(response, 429)
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= WINDOW
    return seconds


async def test_twenty_wrong_passwords_across_processes_and_addresses(
    two: Two, frozen: list[datetime]
) -> None:
    email = two.tenant.staff[Role.HOUSE_ADMIN].user.email
    clients = [two.client(p, f"10.0.0.{a}") for p in (0, 1) for a in (1, 2, 3)]
    # All at once: the count is one statement, so the processes cannot both let a sixth in.
    answers = await asyncio.gather(
        *(login(clients[n % len(clients)], email, f"wrong {n}") for n in range(20))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * LIMITS.login_per_account + [429] * (20 - LIMITS.login_per_account)
    for answer in answers:
        if answer.status_code == 429:
            assert retry_after(answer) == WINDOW - 1
            assert "failed logins" in answer.json()["detail"]

    # The right password waits for the window too: the account is what is guessed at.
    assert (await login(clients[0], email, PASSWORD)).status_code == 429
    # Another account from the same addresses is not blocked by this one's failures.
    other = two.tenant.staff[Role.BOX_OFFICE].user.email
    assert (await login(clients[4], other, PASSWORD)).status_code == 200

    frozen[0] += timedelta(seconds=WINDOW)
    for process in (0, 1):
        assert (await login(two.client(process, "10.0.0.9"), email, PASSWORD)).status_code == 200
    for client in clients:
        await client.aclose()


async def test_a_shared_address_is_limited_on_failures_only(
    two: Two, frozen: list[datetime]
) -> None:
    staff = two.tenant.staff
    office = [two.client(p, "192.0.2.7") for p in (0, 1)]  # one router, both processes
    # Successful logins are not counted: a busy box office logs in all day.
    for n in range(LIMITS.login_per_address + 2):
        ok = await login(office[n % 2], staff[Role.BOX_OFFICE].user.email, PASSWORD)
        assert ok.status_code == 200, ok.text
    # Failures for several accounts, each under the account limit, up to the address's.
    failing = [f"nobody-{n}@example.test" for n in range(4)]
    for n in range(LIMITS.login_per_address - 1):
        wrong = await login(office[n % 2], failing[n % 4], "wrong")
        assert wrong.status_code == 401
    # Within the address's limit, a clerk's correct login goes through.
    clerk = await login(office[0], staff[Role.SCANNER].user.email, PASSWORD)
    assert clerk.status_code == 200
    assert (await login(office[1], failing[0], "wrong")).status_code == 401
    # Past it, the address waits (whoever logs in from it); another address does not.
    assert retry_after(await login(office[0], staff[Role.FINANCE].user.email, PASSWORD))
    elsewhere = two.client(1, "198.51.100.3")
    assert (await login(elsewhere, staff[Role.FINANCE].user.email, PASSWORD)).status_code == 200
    frozen[0] += timedelta(seconds=WINDOW)
    assert (await login(office[1], staff[Role.FINANCE].user.email, PASSWORD)).status_code == 200


async def test_order_secret_routes_are_limited_per_address(
    two: Two, frozen: list[datetime]
) -> None:
    guesser = [two.client(p, "203.0.113.5") for p in (0, 1)]
    buyer = two.client(0, "203.0.113.80")
    order = uuid.uuid4()
    routes = [
        f"/public/orders/{order}",
        f"/public/orders/{order}/tickets.pdf",
        f"/public/orders/{order}/tickets/{uuid.uuid4()}/qr.png",
    ]
    for n in range(LIMITS.public_failures_per_address):
        guess = await guesser[n % 2].get(routes[n % 3], params={"secret": f"guess-{n}"})
        assert guess.status_code == 404, guess.text
    for route in [*routes, f"/public/orders/{order}/payment"]:
        method = "POST" if route.endswith("payment") else "GET"
        refused = await guesser[1].request(method, route, params={"secret": "one more"})
        assert retry_after(refused) == WINDOW - 1
        assert "open the link again" in refused.json()["detail"]
    # Another address is answered as before.
    assert (await buyer.get(routes[0], params={"secret": "mine"})).status_code == 404
    frozen[0] += timedelta(seconds=WINDOW)
    assert (await guesser[0].get(routes[0], params={"secret": "later"})).status_code == 404


def bypasses(order: uuid.UUID) -> list[str]:
    """Other spellings of a guess that reach the same routes: the forms Litestar's uuid
    path parameter also takes, and a query name written with a percent-escape."""
    return [
        f"/public/orders/{order.hex}?secret=guess",
        f"/public/orders/{{{order}}}?secret=guess",
        f"/public/orders/urn:uuid:{order}?secret=guess",
        f"/public/orders/{order.hex}/tickets.pdf?secret=guess",
        f"/public/orders/{order}?se%63ret=guess",
        f"/public/orders/{order}/tickets.pdf?se%63ret=guess",
    ]


async def test_no_spelling_of_a_guess_escapes_the_count(two: Two, frozen: list[datetime]) -> None:
    order = uuid.uuid4()
    for n, url in enumerate(bypasses(order)):
        guesser = two.client(n % 2, f"198.51.100.{n + 10}")
        for _ in range(LIMITS.public_failures_per_address):
            guess = await guesser.get(url)
            assert guess.status_code == 404, (url, guess.text)
        # Each was counted: the plain spelling, and this one, now wait.
        retry_after(await guesser.get(f"/public/orders/{order}", params={"secret": "plain"}))
        retry_after(await guesser.get(url))


async def test_guesses_at_the_same_moment_are_counted_before_they_are_answered(
    two: Two, frozen: list[datetime]
) -> None:
    clients = [two.client(p, "203.0.113.66") for p in (0, 1)]
    order = uuid.uuid4()
    answers = await asyncio.gather(
        *(
            clients[n % 2].get(f"/public/orders/{order}", params={"secret": f"guess-{n}"})
            for n in range(12)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    limit = LIMITS.public_failures_per_address
    assert statuses == [404] * limit + [429] * (12 - limit)


async def test_buyers_behind_one_address_are_never_limited(
    two: Two, frozen: list[datetime]
) -> None:
    async with two.client(1, "203.0.113.99") as staff:
        world = await build_world(staff, two.tenant)
    router = [two.client(p, "192.0.2.50") for p in (0, 1)]
    mine = {"secret": world.order["secret"]}
    url = f"/public/orders/{world.order['id']}"
    # Buyers' pages polling their orders (each once a second) during an on-sale: more than
    # the 600 a minute the all-requests cap allowed, far past the refusals' limit. A request
    # counts only while it is answered, so up to the limit may be answered at one moment.
    limit = LIMITS.public_failures_per_address
    for _ in range(610 // limit):
        seen = await asyncio.gather(*(router[n % 2].get(url, params=mine) for n in range(limit)))
        assert {s.status_code for s in seen} == {200}
    # Without a secret the route answers 400 as before, and that is not a refusal either.
    for _ in range(LIMITS.public_failures_per_address + 1):
        assert (await router[0].get(url)).status_code == 400
    # The address's refusals are all still there: a mistyped link is answered 404.
    for n in range(LIMITS.public_failures_per_address):
        assert (await router[n % 2].get(url, params={"secret": "typo"})).status_code == 404
    retry_after(await router[0].get(url, params={"secret": "typo"}))


async def test_an_address_of_any_length_is_counted(two: Two, frozen: list[datetime]) -> None:
    """A proxy may pass on any text as the client's address: the key stays short."""
    email = two.tenant.staff[Role.HOUSE_ADMIN].user.email
    address = "x" * 300
    client = two.client(0, address)
    assert (await login(client, email, "wrong")).status_code == 401
    assert (
        await client.get(f"/public/orders/{uuid.uuid4()}", params={"secret": "s"})
    ).status_code == 404


async def test_limits_off(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """The default settings leave ordinary use alone: one wrong password is a 401."""
    email = tenant.staff[Role.HOUSE_ADMIN].user.email
    assert_problem(await login(client, email, "wrong"), 401)
    assert (await login(client, email, PASSWORD)).status_code == 200
