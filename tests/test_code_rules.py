"""The package pattern's rules, checked on the syntax tree (fixtures/code_rules.py): no
controller runs a query or takes a lock, tenant filters go through the scoping helper.
The samples show that each check reports what it is for, and passes clean code."""

from __future__ import annotations

from pathlib import Path

from fixtures.code_rules import (
    controller_offences,
    defines_routes,
    repository_offences,
    scoping_helpers,
    tenant_filter_offences,
)

PACKAGE = Path(__file__).resolve().parent.parent / "ticketing"
SCOPING = {PACKAGE / "tenancy" / "scoping.py", PACKAGE / "tenancy" / "principal.py"}
# What filters by tenant: the scoping module's public names but authorize.
HELPERS = scoping_helpers((PACKAGE / "tenancy" / "scoping.py").read_text())
# Repositories with no read made for a staff member, so nothing to scope, and why.
UNSCOPED_REPOSITORIES = {
    PACKAGE / "payments" / "repository.py": "webhooks and workers find rows by Stripe's ids",
}


def _controllers() -> list[Path]:
    """Every module that defines a route handler, whatever its name."""
    return sorted(p for p in PACKAGE.rglob("*.py") if defines_routes(p.read_text()))


def _relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_no_controller_runs_a_query_or_takes_a_lock() -> None:
    controllers = _controllers()
    assert len(controllers) >= 13  # the walk finds them (one per package, the web's, the app)
    assert PACKAGE / "app.py" in controllers  # /health and / are routes too
    assert set(PACKAGE.rglob("*controllers.py")) <= set(controllers)
    offences = [
        offence.at(_relative(path))
        for path in _controllers()
        for offence in controller_offences(path.read_text())
    ]
    assert offences == [], "move these into the package's repository or service:\n" + "\n".join(
        offences
    )


def test_no_ad_hoc_tenant_filters() -> None:
    offences = [
        offence.at(_relative(path))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in SCOPING
        for offence in tenant_filter_offences(path.read_text())
    ]
    assert offences == [], "filter through ticketing.tenancy.scoping:\n" + "\n".join(offences)


def test_every_repository_reads_through_the_scoping_helper() -> None:
    repositories = sorted(PACKAGE.glob("*/repository.py"))
    assert len(repositories) >= 9
    offences = []
    for path in repositories:
        found = repository_offences(path.read_text(), HELPERS)
        if path in UNSCOPED_REPOSITORIES:
            # Allowed not to import it, but then it must not read for a caller either.
            found = [o for o in found if not o.what.startswith("does not import")]
        offences += [o.at(_relative(path)) for o in found]
    assert offences == [], "\n".join(offences)


# --- the checks on samples ---------------------------------------------------------------

QUERYING_CONTROLLER = '''
"""A controller that does the repository's work. SELECT words FROM a docstring are prose."""
from litestar import Controller, get
from sqlalchemy import text
from sqlmodel import select
from ticketing.db import locks

class ThingController(Controller):
    @get("/")
    async def things(self, db, principal) -> list[str]:
        await locks.advisory_xact_lock(db, "things")
        await db.execute(text("SELECT pg_advisory_xact_lock(1)"))
        rows = await db.exec(select(Thing).where(Thing.name == "x"))
        one = await db.get(Thing, 1)
        hold = await holds.online_hold(db, 1, lock=True)
        order = await orders_repo.get_order_for_update(db, 1)
        raw = "UPDATE thing SET name = $1 WHERE id = $2"
        return [r.name for r in rows]
'''

CLEAN_CONTROLLER = '''
"""Things over HTTP: SELECT ... FROM in prose is fine."""
from litestar import Controller, delete, get
from ticketing.db.engine import SessionMaker
from ticketing.things import service

class ThingController(Controller):
    @get("/")
    async def things(self, db, principal, data) -> list[str]:
        found = await service.list_things(db, principal)
        data.update({"seen": True})
        headers = {"x": 1}.get("x")
        cached = cache.get(f"things/{principal.id}", lock=False)
        label = "Thing " + str(len(found)) + f" of {principal.name}"
        return [t.name for t in found]

    @delete("/{thing_id:uuid}")
    async def remove(self, db, principal, thing_id) -> None:
        await service.remove_thing(db, principal, thing_id)
'''


def test_the_controller_check_reports_every_query_and_lock_of_a_sample() -> None:
    found = [(o.line, o.what) for o in controller_offences(QUERYING_CONTROLLER)]
    assert found == [
        (4, "imports text from sqlalchemy"),
        (5, "imports select from sqlmodel"),
        (6, "imports locks from ticketing.db"),
        (11, "takes a lock: advisory_xact_lock("),
        (12, "runs a statement: .execute("),
        (12, "builds a statement: text("),
        (12, "holds SQL text"),
        (13, "runs a statement: .exec("),
        (13, "builds a statement: select("),
        (14, "loads a row: .get("),
        (15, "takes a lock: online_hold(lock=True)"),
        (16, "takes a lock: get_order_for_update("),
        (17, "holds SQL text"),
    ]


MORE_QUERYING_CONTROLLER = """
from litestar import Controller, delete, post
from sqlalchemy import delete as sa_delete, update
from sqlmodel.ext.asyncio.session import AsyncSession
from ticketing import db as database
import ticketing.db.raw
from ticketing.db.unit import unit_of_work
from ticketing.db.engine import SessionMaker

class ThingController(Controller):
    @post("/")
    async def things(self, db, principal, conn: AsyncSession, store, pool) -> None:
        await store.execute(update(Thing).values(name="x"))
        await db.execute(sa_delete(Thing))
        await db.exec(sqlalchemy.delete(Thing))
        await db.exec(insert(Thing))
        rows = await pool.fetch("select id from ticket where name = $1", "x")
        row = await pool.fetchrow(f"SELECT id {columns} FROM ticket")
        count = await pool.fetchval("UPDATE ticket " + "SET state = 1")
        one = await db.get_one(Thing, 1)
        await db.delete(one)
        await db.flush()
        await db.run_sync(lambda s: None)
        await store.commit()
        got = await conn.get(Thing, 1)
        await conn.refresh(got)
        order = await orders.load(db, 1, for_update=True)
        stmt = query.with_for_update(nowait=True)
        hold = await holds.find(db, 1, lock_mode="update")
        thing = await things.one(db, 1, with_for_update=True)
"""


def test_the_controller_check_reports_the_other_ways_to_run_a_query() -> None:
    found = [(o.line, o.what) for o in controller_offences(MORE_QUERYING_CONTROLLER)]
    assert found == [
        (3, "imports delete from sqlalchemy"),
        (3, "imports update from sqlalchemy"),
        (5, "imports ticketing.db"),
        (6, "imports ticketing.db.raw"),
        (7, "imports unit_of_work from ticketing.db.unit"),
        (13, "runs a statement: .execute("),
        (13, "builds a statement: update("),
        (14, "runs a statement: .execute("),
        (14, "builds a statement: sa_delete( (delete)"),
        (15, "runs a statement: .exec("),
        (15, "builds a statement: delete("),
        (16, "runs a statement: .exec("),
        (16, "builds a statement: insert("),
        (17, "runs a statement: .fetch("),
        (17, "holds SQL text"),
        (18, "runs a statement: .fetchrow("),
        (18, "holds SQL text"),
        (19, "runs a statement: .fetchval("),
        (19, "holds SQL text"),
        (20, "runs a statement: .get_one("),
        (21, "writes a row: .delete("),
        (22, "writes a row: .flush("),
        (23, "runs a statement: .run_sync("),
        (24, "runs a statement: .commit("),
        (25, "loads a row: .get("),
        (26, "loads a row: .refresh("),
        (27, "takes a lock: load(for_update=True)"),
        (28, "takes a lock: with_for_update("),
        (29, "takes a lock: find(lock_mode='update')"),
        (30, "takes a lock: one(with_for_update=True)"),
    ]


ROUTES_BY_DECORATOR = """
from litestar import get

@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
"""

ROUTES_BY_CONTROLLER = """
import litestar

class Things(litestar.Controller):
    path = "/things"
"""

ROUTES_BY_MODULE_DECORATOR = """
import litestar

@litestar.post("/things")
async def add() -> None: ...
"""

NO_ROUTES = """
from functools import cache as get

@get
def settings() -> dict[str, str]:
    return {}.get("x", {})
"""


def test_a_module_with_a_route_handler_is_checked_whatever_its_name() -> None:
    assert defines_routes(ROUTES_BY_DECORATOR)
    assert defines_routes(ROUTES_BY_CONTROLLER)
    assert defines_routes(ROUTES_BY_MODULE_DECORATOR)
    assert not defines_routes(NO_ROUTES)


def test_the_controller_check_passes_a_thin_controller() -> None:
    assert controller_offences(CLEAN_CONTROLLER) == []


AD_HOC_FILTERS = """
async def visible_orders(session, principal):
    houses = principal.house_ids(READ)
    stmt = select(Order).where(col(Order.house_id).in_(houses))
    stmt = stmt.where(Order.cluster_id.in_(clusters))
    await conn.fetch("SELECT id FROM ticket WHERE house_id = ANY($1::uuid[])", houses)
"""

SCOPED_FILTERS = """
async def visible_orders(session, principal, house_id):
    stmt = select(Order).where(Order.house_id == house_id, col(Order.id).in_(ids))
    return scope(stmt, Order, principal)
"""


def test_the_tenant_check_reports_hand_made_filters() -> None:
    assert [(o.line, o.what) for o in tenant_filter_offences(AD_HOC_FILTERS)] == [
        (3, "asks for the caller's house_ids"),
        (4, "filters house_id by membership"),
        (5, "filters cluster_id by membership"),
        (6, "filters a tenant column with = ANY( in SQL"),
    ]
    assert tenant_filter_offences(SCOPED_FILTERS) == []


UNSCOPED_REPOSITORY = """
from sqlmodel import select
from ticketing.tenancy.scoping import authorize, scope
from ticketing.orders import repository as orders_repo

async def list_things(session, principal):
    return (await session.exec(select(Thing))).all()

async def things_of_house(session, principal, house_id):
    authorize(principal, house_id)  # checks a role, filters nothing
    return (await session.exec(select(Thing).where(Thing.house_id == house_id))).all()

async def things_and_orders(session, principal):
    return await orders_repo.orders(session, principal)  # another module's, unchecked here

async def things_again(session, principal):
    return await list_things(session, principal)  # the same module's, but unscoped
"""

UNIMPORTED_REPOSITORY = """
from sqlmodel import select

async def list_things(session, principal):
    return (await session.exec(select(Thing))).all()
"""

SCOPED_REPOSITORY = """
from sqlmodel import select
from ticketing.tenancy import scoping
from ticketing.tenancy.scoping import SCOPE_SQL, authorize, scope

async def list_things(session, principal):
    return (await session.exec(scope(select(Thing), Thing, principal))).all()

async def things_of_house(session, principal, house_id):
    authorize(principal, house_id)
    return await list_things(session, principal)

async def first_thing(session, principal):
    return (await things_of_house(session, principal, None))[0]

async def houses(session, principal):
    return (await session.exec(scoping.scope_houses(select(House), principal))).all()

async def raw_things(conn, principal):
    return await conn.fetch(f"SELECT id FROM thing WHERE {SCOPE_SQL.format(n=1)}", principal)

async def thing_by_key(session, key):
    return (await session.exec(select(Thing).where(Thing.key == key))).first()
"""


def test_the_repository_helpers_are_the_scoping_modules_names_but_authorize() -> None:
    assert {"scope", "scope_houses", "get_scoped", "SCOPE_SQL", "scope_param"} <= HELPERS
    assert "authorize" not in HELPERS
    assert not {"T", "S"} & HELPERS  # its type variables filter nothing


def test_the_repository_check_reports_a_read_for_a_caller_without_the_scope() -> None:
    assert [o.what for o in repository_offences(UNSCOPED_REPOSITORY, HELPERS)] == [
        "list_things() reads for a caller unscoped",
        "things_of_house() reads for a caller unscoped",
        "things_and_orders() reads for a caller unscoped",
        "things_again() reads for a caller unscoped",
    ]
    assert [o.what for o in repository_offences(UNIMPORTED_REPOSITORY, HELPERS)] == [
        "does not import ticketing.tenancy.scoping",
        "list_things() reads for a caller unscoped",
    ]
    assert repository_offences(SCOPED_REPOSITORY, HELPERS) == []
