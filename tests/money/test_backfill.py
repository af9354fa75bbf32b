"""The ledger's backfill: orders, payments, refunds and tills written before the ledger
existed (at revision a7d1e5c3b920, through SQL) get their entries when the database is
upgraded, and those entries balance: per order, the revenue kept is the money kept."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from fixtures.databases import create_database, drop_database

from ticketing.db.migrate import upgrade
from ticketing.db.urls import sync_url
from ticketing.seatmaps.demo_layouts import standing_1200

BEFORE_LEDGER = "a7d1e5c3b920"
# 23:30 in UTC on 30 November is 00:30 on 1 December in Brussels.
PAID_AT = "2026-11-30 23:30:00+00"
REFUNDED_AT = "2026-12-02 10:00:00+00"
PLAYS_AT = "2026-12-20 19:00:00+00"


@pytest.fixture
def old_database(server_url: str) -> Iterator[str]:
    url = create_database(server_url, prefix="podium_backfill")
    upgrade(url, BEFORE_LEDGER)
    yield (
        sync_url(url)
        .render_as_string(hide_password=False)
        .replace("postgresql+psycopg", "postgresql")
    )
    drop_database(url)


class Old:
    """Rows as the platform wrote them before the ledger."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.cluster = uuid.uuid4()
        conn.execute(
            "INSERT INTO cluster VALUES (now(), now(), %s, 'c', 'C', false)", (self.cluster,)
        )
        self.clerk = uuid.uuid4()
        conn.execute(
            "INSERT INTO staff_user (created_at, updated_at, id, email, name, password_hash,"
            " is_platform_admin, is_active, language) VALUES (now(), now(), %s, 'k@x.test',"
            " 'K', 'x', false, true, 'nl')",
            (self.clerk,),
        )

    def house(self, prefix: str) -> uuid.UUID:
        house = uuid.uuid4()
        self.conn.execute(
            "INSERT INTO house (created_at, updated_at, id, cluster_id, slug, name,"
            " order_code_prefix, hold_minutes, is_demo) VALUES (now(), now(), %s, %s, %s, %s,"
            " %s, 15, false)",
            (house, self.cluster, prefix.lower(), prefix, prefix),
        )
        return house

    def performance(self, house: uuid.UUID) -> uuid.UUID:
        v, hall, layout, event, perf = (uuid.uuid4() for _ in range(5))
        c = self.conn
        c.execute(
            "INSERT INTO venue (created_at, updated_at, id, house_id, cluster_id, name, street,"
            " postal_code, city, country) VALUES (now(), now(), %s, %s, %s, 'V', 'S 1', '9000',"
            " 'Gent', 'BE')",
            (v, house, self.cluster),
        )
        c.execute(
            "INSERT INTO hall (created_at, updated_at, id, house_id, cluster_id, venue_id, name)"
            " VALUES (now(), now(), %s, %s, %s, %s, 'Zaal')",
            (hall, house, self.cluster, v),
        )
        c.execute(
            "INSERT INTO seat_map_layout (created_at, updated_at, id, house_id, cluster_id,"
            " hall_id, version, name, document, seat_count, standing_capacity) VALUES (now(),"
            " now(), %s, %s, %s, %s, 1, 'L', %s, 0, 1200)",
            (
                layout,
                house,
                self.cluster,
                hall,
                json.dumps(standing_1200().model_dump(mode="json")),
            ),
        )
        c.execute(
            "INSERT INTO event (created_at, updated_at, id, house_id, cluster_id, title,"
            " description, event_type_id, images, status) VALUES (now(), now(), %s, %s, %s,"
            " '{\"nl\": \"E\"}', '{}', '0.50.4.0.0', '[]', 'published')",
            (event, house, self.cluster),
        )
        c.execute(
            "INSERT INTO performance (created_at, updated_at, id, house_id, cluster_id, event_id,"
            " hall_id, layout_id, starts_at, ends_at, status) VALUES (now(), now(), %s, %s, %s,"
            " %s, %s, %s, %s, %s::timestamptz + interval '2 hours', 'on_sale')",
            (perf, house, self.cluster, event, hall, layout, PLAYS_AT, PLAYS_AT),
        )
        return perf

    def till(self, house: uuid.UUID, float_cents: int, difference: int) -> uuid.UUID:
        till = uuid.uuid4()
        self.conn.execute(
            "INSERT INTO till_session (created_at, updated_at, id, house_id, cluster_id, clerk_id,"
            " opened_at, float_cents, closed_at, counted_cash_cents, report) VALUES (now(), now(),"
            " %s, %s, %s, %s, %s, %s, %s::timestamptz + interval '8 hours', 0, %s)",
            (
                till,
                house,
                self.cluster,
                self.clerk,
                PAID_AT,
                float_cents,
                PAID_AT,
                json.dumps({"difference_cents": difference}),
            ),
        )
        return till

    def order(
        self, house: uuid.UUID, code: str, channel: str, status: str, fees: int, paid: int,
        refunded: int,
    ) -> uuid.UUID:  # fmt: skip
        order = uuid.uuid4()
        self.conn.execute(
            "INSERT INTO customer_order (created_at, updated_at, id, house_id, cluster_id, code,"
            " channel, status, customer_name, language, tickets_cents, fees_cents, total_cents,"
            " paid_cents, refunded_cents, needs_attention, secret_hash, created_by_id) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, 'Jan', 'nl', %s, %s, %s, %s, %s, false, 'x', %s)",
            (
                PAID_AT,
                REFUNDED_AT,
                order,
                house,
                self.cluster,
                code,
                channel,
                status,
                paid - fees,
                fees,
                paid,
                paid,
                refunded,
                self.clerk,
            ),
        )
        return order

    def ticket(
        self, order: uuid.UUID, house: uuid.UUID, perf: uuid.UUID, price: int, status: str
    ) -> uuid.UUID:
        ticket = uuid.uuid4()
        self.conn.execute(
            "INSERT INTO ticket (created_at, updated_at, id, house_id, cluster_id, order_id,"
            " performance_id, area_code, zone_code, tariff_code, price_cents, requires_check,"
            " status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'FLOOR', 'A', 'BASE', %s, false, %s)",
            (PAID_AT, REFUNDED_AT, ticket, house, self.cluster, order, perf, price, status),
        )
        return ticket

    def exchanged(self, order: uuid.UUID, old: uuid.UUID, new: uuid.UUID, at: str) -> None:
        self.conn.execute(
            "INSERT INTO order_event (id, order_id, at, kind, actor, data) VALUES (%s, %s, %s,"
            " 'exchanged', 'k@x.test', %s)",
            (uuid.uuid4(), order, at, json.dumps({"old_ticket": str(old), "new_ticket": str(new)})),
        )

    def money(
        self, table: str, order: uuid.UUID, house: uuid.UUID, method: str, cents: int,
        till: uuid.UUID | None, at: str, payment: uuid.UUID | None = None,
    ) -> uuid.UUID:  # fmt: skip
        row = uuid.uuid4()
        extra = ", payment_id, ticket_ids" if table == "refund" else ""
        values = ", %s, '[]'" if table == "refund" else ""
        params: tuple[Any, ...] = (at, at, row, house, self.cluster, order, method, cents, till)
        self.conn.execute(
            f"INSERT INTO {table} (created_at, updated_at, id, house_id, cluster_id, order_id,"
            f" method, status, amount_cents, till_session_id{extra}) VALUES (%s, %s, %s, %s, %s,"
            f" %s, %s, 'succeeded', %s, %s{values})",
            (*params, payment) if table == "refund" else params,
        )
        return row


def test_the_backfill_books_old_orders_and_tills_and_they_balance(old_database: str) -> None:
    with psycopg.connect(old_database) as conn:
        old = Old(conn)
        seller, other = old.house("SEL"), old.house("OTH")
        mine, theirs = old.performance(seller), old.performance(other)
        till = old.till(seller, 5000, -200)
        # At the counter: a ticket of each house, the other house's given back in cash.
        counter = old.order(seller, "SEL-1", "box_office", "partly_refunded", 0, 3500, 1500)
        kept = old.ticket(counter, seller, mine, 2000, "valid")
        back = old.ticket(counter, other, theirs, 1500, "refunded")
        paid = old.money("payment", counter, seller, "cash", 3500, till, PAID_AT)
        old.money("refund", counter, seller, "cash", 1500, till, REFUNDED_AT, paid)
        # Online with a fee, all of it refunded.
        online = old.order(seller, "SEL-2", "online", "refunded", 200, 1200, 1200)
        old.ticket(online, seller, mine, 1000, "refunded")
        paid_online = old.money("payment", online, seller, "online", 1200, None, PAID_AT)
        old.money("refund", online, seller, "online", 1200, None, REFUNDED_AT, paid_online)
        # Online, its one ticket cancelled and its refund still with Stripe: the order is
        # still "paid", yet its fees went back with its last ticket.
        pending = old.order(seller, "SEL-6", "online", "paid", 200, 1200, 1200)
        old.ticket(pending, seller, mine, 1000, "refunded")
        old.money("payment", pending, seller, "online", 1200, None, PAID_AT)
        # Exchanged for a dearer place, the difference paid.
        swapped = old.order(seller, "SEL-3", "box_office", "paid", 0, 3000, 0)
        before = old.ticket(swapped, seller, mine, 2000, "exchanged")
        after = old.ticket(swapped, seller, theirs, 3000, "valid")
        old.exchanged(swapped, before, after, REFUNDED_AT)
        old.money("payment", swapped, seller, "cash", 2000, till, PAID_AT)
        old.money("payment", swapped, seller, "card_terminal", 1000, till, REFUNDED_AT)
        # A gala's box: 25,000 euro, its VAT (1,415.09) beyond the integer range midway.
        gala = old.order(seller, "SEL-5", "box_office", "paid", 0, 2_500_000, 0)
        box = old.ticket(gala, seller, mine, 2_500_000, "valid")
        old.money("payment", gala, seller, "card_terminal", 2_500_000, till, PAID_AT)
        # A reservation not paid yet books nothing.
        waiting = old.order(seller, "SEL-4", "box_office", "reserved", 0, 0, 0)
        old.ticket(waiting, seller, mine, 2500, "pending")

    upgrade(old_database)

    with psycopg.connect(old_database) as conn:
        conn.row_factory = psycopg.rows.dict_row  # type: ignore[assignment]
        entries: list[dict[str, Any]] = conn.execute(
            "SELECT * FROM ledger_entry WHERE cluster_id = %s ORDER BY id", (old.cluster,)
        ).fetchall()

    def of(order: uuid.UUID | None) -> list[tuple[str, int]]:
        return sorted((e["kind"], e["gross_cents"]) for e in entries if e["order_id"] == order)

    assert of(counter) == [
        ("cancel", -1500),
        ("payment", 3500),
        ("refund", -1500),
        ("sale", 1500),
        ("sale", 2000),
    ]
    assert of(online) == [
        ("cancel", -1000),
        ("fee", -200),
        ("fee", 200),
        ("payment", 1200),
        ("refund", -1200),
        ("sale", 1000),
    ]
    assert of(pending) == [
        ("cancel", -1000),
        ("fee", -200),
        ("fee", 200),
        ("payment", 1200),
        ("sale", 1000),
    ]
    assert of(swapped) == [
        ("exchange", -2000),
        ("exchange", 3000),
        ("payment", 1000),
        ("payment", 2000),
        ("sale", 2000),
    ]
    # The exchange on the day it happened, as its history says.
    assert {e["business_date"] for e in entries if e["kind"] == "exchange"} == {date(2026, 12, 2)}
    assert [e["quantity"] for e in entries if e["ticket_id"] == after] == [1]
    assert of(waiting) == []
    big = next(e for e in entries if e["ticket_id"] == box)
    assert (big["vat_cents"], big["net_cents"]) == (141509, 2_358_491)
    assert sorted((e["kind"], e["gross_cents"]) for e in entries if e["order_id"] is None) == [
        ("till_difference", -200),
        ("till_float", 5000),
    ]
    # They balance: per order, the revenue kept is the money kept (the pending refund's
    # order keeps the money until Stripe gives it back).
    for order in (counter, online, swapped, gala):
        rows = [e for e in entries if e["order_id"] == order]
        revenue = sum(
            e["gross_cents"] for e in rows if e["kind"] in ("sale", "cancel", "exchange", "fee")
        )
        money = sum(e["gross_cents"] for e in rows if e["kind"] in ("payment", "refund"))
        assert revenue == money, order
    # Every entry split, dated in Brussels, owned and held as the new code books them.
    for e in entries:
        assert e["net_cents"] + e["vat_cents"] == e["gross_cents"]
        assert e["seller_house_id"] == e["holder_house_id"] == seller
        assert e["channel"] == ("online" if e["order_id"] in (online, pending) else "counter")
    sale = next(e for e in entries if e["ticket_id"] == back and e["kind"] == "sale")
    assert sale["owner_house_id"] == other
    assert sale["business_date"] == date(2026, 12, 1)  # paid at 00:30 in Brussels
    assert sale["performance_date"] == date(2026, 12, 20)
    assert (sale["vat_rate_bp"], sale["vat_cents"], sale["quantity"]) == (600, 85, 1)
    assert sale["payment_method"] == "cash"
    cancel = next(e for e in entries if e["ticket_id"] == back and e["kind"] == "cancel")
    assert (cancel["vat_cents"], cancel["net_cents"], cancel["quantity"]) == (-85, -1415, -1)
    fee = next(e for e in entries if e["kind"] == "fee" and e["gross_cents"] > 0)
    assert (fee["vat_rate_bp"], fee["vat_cents"]) == (2100, 35)
    kept_sale = next(e for e in entries if e["ticket_id"] == kept)
    assert (kept_sale["owner_house_id"], kept_sale["clerk_id"]) == (seller, old.clerk)
    refund = next(e for e in entries if e["kind"] == "refund" and e["order_id"] == counter)
    assert (refund["payment_id"], refund["till_session_id"]) == (paid, till)
    # Per performance, the quantities count the tickets still valid.
    for perf, valid in ((mine, 2), (theirs, 1)):
        assert sum(e["quantity"] for e in entries if e["performance_id"] == perf) == valid
