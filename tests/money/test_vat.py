"""VAT: the money package's half-up split against an independent Decimal reference, line
by line; and what a sale through the API books: the VAT of each ticket's line at its
tariff's rate (6 %, 21 % set through the events API), nothing in an exempt house, and
the order's VAT the sum of its lines."""

from __future__ import annotations

import random
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from fixtures.inventory_setup import put_on_sale
from fixtures.support import Tenant, assert_problem, make_tenant
from fixtures.world import ok
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.money.vat import split, vat_of
from ticketing.tenancy.roles import Role

SPEC: dict[str, Any] = {
    "name": "Zaal",
    "price_zones": [{"code": "S", "name": "Staanplaats", "color": "#2ca02c"}],
    "blocks": [],
    "standing": [{"code": "FLOOR", "name": "Vloer", "zone": "S", "capacity": 50}],
}


def reference_vat(gross_cents: int, rate_percent: Decimal) -> int:
    """The VAT in a VAT-inclusive gross: gross * rate / (100 + rate), in euro, to the cent
    half up (away from zero for a negative amount: a refund mirrors its sale)."""
    if rate_percent == 0:
        return 0
    euros = Decimal(abs(gross_cents)) / 100
    vat = (euros * rate_percent / (100 + rate_percent)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    cents = int(vat * 100)
    return cents if gross_cents >= 0 else -cents


def test_a_thousand_random_prices_match_the_decimal_reference_line_by_line() -> None:
    rng = random.Random(20261207)
    rates = [600] * 700 + [2100] * 150 + [1200] * 100 + [0] * 50
    rng.shuffle(rates)
    mismatches = []
    for rate in rates:
        gross = rng.choice([rng.randint(0, 999), rng.randint(1, 20_000), rng.randint(1, 10**7)])
        for amount in (gross, -gross):
            vat, net = split(amount, rate)
            expected = reference_vat(amount, Decimal(rate) / 100)
            if vat != expected or net + vat != amount:
                mismatches.append((amount, rate, vat, expected))
        assert vat_of(-gross, rate) == -vat_of(gross, rate)
    assert mismatches == []


def test_the_halves_round_up() -> None:
    """Prices whose exact VAT ends on half a cent go up (at 12 %: 14 cents hold 1.5
    cents of VAT; at 6 % and 21 % no whole number of cents gives an exact half)."""
    for gross in (14, 42, 70, 1414):
        exact = Decimal(gross) * 12 / 112
        assert exact % 1 == Decimal("0.5")
        assert vat_of(gross, 1200) == int(exact + Decimal("0.5"))
        assert vat_of(-gross, 1200) == -vat_of(gross, 1200)
    # The usual price of a ticket: 20 euro holds 1.13 of VAT at 6 %, 3.47 at 21 %.
    assert vat_of(2000, 600) == 113
    assert vat_of(2000, 2100) == 347


async def _ledger(db: AsyncSession, order_id: str) -> list[dict[str, Any]]:
    result = await db.exec(  # type: ignore[call-overload]
        text(
            "SELECT kind, ticket_id, gross_cents, vat_rate_bp, vat_cents, net_cents"
            " FROM ledger_entry WHERE order_id = :o ORDER BY id"
        ),
        params={"o": uuid.UUID(order_id)},
    )
    return [dict(r) for r in result.mappings().all()]


async def _sell(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], lines: list[str]
) -> dict[str, Any]:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "standing": [{"area": "FLOOR", "quantity": len(lines)}],
            },
        )
    )
    [item] = hold["items"]
    tariffs: dict[str, int] = {}
    for code in lines:
        tariffs[code] = tariffs.get(code, 0) + 1
    return await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "lines": [
                    {"item_id": item["id"], "tariff": code, "quantity": n}
                    for code, n in tariffs.items()
                ],
                "payment": {"method": "card_terminal"},
            },
        )
    )


async def test_a_sale_books_each_lines_vat_at_its_tariffs_rate(
    client: httpx.AsyncClient, tenant: Tenant, db: AsyncSession
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    performance = await put_on_sale(client, tenant, SPEC, {"S": 2000})
    tariff = {"code": "BAR", "name": {"nl": "Met drank"}, "kind": "reduced", "rule": "fixed"}
    refused = await client.post(
        f"/events/{performance['event_id']}/tariffs",
        headers=admin,
        json={**tariff, "value": 2500, "vat_rate_bp": 10001},
    )
    assert_problem(refused, 400, "vat_rate_bp")
    bar = await ok(
        await client.post(
            f"/events/{performance['event_id']}/tariffs",
            headers=admin,
            json={**tariff, "value": 2500, "vat_rate_bp": 2100},
        )
    )
    assert bar["vat_rate_bp"] == 2100
    event = await ok(await client.get(f"/events/{performance['event_id']}", headers=admin), 200)
    u26 = next(t for t in event["tariffs"] if t["code"] == "U26")
    assert u26["vat_rate_bp"] == 600
    assert_problem(
        await client.patch(f"/tariffs/{u26['id']}", headers=admin, json={"vat_rate_bp": -1}),
        400,
        "vat_rate_bp",
    )
    patched = await ok(
        await client.patch(f"/tariffs/{u26['id']}", headers=admin, json={"vat_rate_bp": 1200}),
        200,
    )
    assert patched["vat_rate_bp"] == 1200
    await ok(
        await client.post(
            "/till/open",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"house_id": str(tenant.house.id), "float_cents": 0},
        )
    )
    order = await _sell(client, tenant, performance, ["BASE", "BASE", "U26", "BAR"])
    prices = {t["tariff_code"]: t["price_cents"] for t in order["tickets"]}
    assert prices == {"BASE": 2000, "U26": 1500, "BAR": 2500}
    sales = [e for e in await _ledger(db, order["id"]) if e["kind"] == "sale"]
    by_ticket = {t["id"]: t for t in order["tickets"]}
    expected = {"BASE": (600, 113), "U26": (1200, 161), "BAR": (2100, 434)}
    assert len(sales) == 4
    for entry in sales:
        ticket = by_ticket[str(entry["ticket_id"])]
        rate, vat = expected[ticket["tariff_code"]]
        assert (entry["vat_rate_bp"], entry["vat_cents"]) == (rate, vat)
        assert entry["gross_cents"] == ticket["price_cents"]
        assert entry["net_cents"] == ticket["price_cents"] - vat
    assert sum(e["vat_cents"] for e in sales) == 113 + 113 + 161 + 434
    # A cancelled line mirrors its sale to the cent.
    u26_ticket = next(t for t in order["tickets"] if t["tariff_code"] == "U26")
    await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [u26_ticket["id"]], "refund_method": "cash"},
        ),
        200,
    )
    [back] = [e for e in await _ledger(db, order["id"]) if e["kind"] == "cancel"]
    assert (back["gross_cents"], back["vat_cents"], back["net_cents"]) == (-1500, -161, -1339)


async def test_an_exempt_house_books_no_vat(
    client: httpx.AsyncClient, tenant: Tenant, db: AsyncSession
) -> None:
    exempt = await make_tenant(db, cluster=tenant.cluster)
    await db.exec(  # type: ignore[call-overload]
        text("UPDATE house SET vat_exempt = true WHERE id = :h"), params={"h": exempt.house.id}
    )
    await db.commit()
    performance = await put_on_sale(client, exempt, SPEC, {"S": 1800})
    await ok(
        await client.post(
            "/till/open",
            headers=exempt.staff[Role.BOX_OFFICE].headers,
            json={"house_id": str(exempt.house.id), "float_cents": 0},
        )
    )
    order = await _sell(client, exempt, performance, ["BASE", "U26"])
    entries = await _ledger(db, order["id"])
    assert {e["kind"] for e in entries} == {"sale", "payment"}
    assert all(e["vat_cents"] == 0 and e["net_cents"] == e["gross_cents"] for e in entries)
    assert {e["vat_rate_bp"] for e in entries if e["kind"] == "sale"} == {0}
