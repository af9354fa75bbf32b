"""money: the ledger, VAT rates, settlement statements, Stripe Connect transfers

`ledger_entry` is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (as on
`audit_entry`); a correction is a new entry. The orders that exist are backfilled from
their tickets, payments, refunds and tills, dated as well as their rows tell: a sale at
the order's first payment (or its creation), a refund or exchange at the ticket's last
change, everything at 6 % (the tariffs' rate before this revision) and fees at 21 %.

Revision ID: 498ceed472b4
Revises: a7d1e5c3b920
Create Date: 2026-12-07 23:51:11.636410
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "498ceed472b4"
down_revision: str | None = "a7d1e5c3b920"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("owner_house_id", sa.Uuid(), nullable=False),
        sa.Column("seller_house_id", sa.Uuid(), nullable=False),
        sa.Column("holder_house_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("performance_id", sa.Uuid(), nullable=True),
        sa.Column("performance_date", sa.Date(), nullable=True),
        sa.Column("tariff_id", sa.Uuid(), nullable=True),
        sa.Column("tariff_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("payment_method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("till_session_id", sa.Uuid(), nullable=True),
        sa.Column("clerk_id", sa.Uuid(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.CheckConstraint(
            "net_cents + vat_cents = gross_cents", name=op.f("ck_ledger_entry_vat_adds_up")
        ),
        sa.CheckConstraint(
            "vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name=op.f("ck_ledger_entry_vat_rate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
    )
    op.create_index(
        "ix_ledger_entry_cluster_id", "ledger_entry", ["cluster_id", "id"], unique=False
    )
    op.create_index(
        "ix_ledger_entry_holder_date",
        "ledger_entry",
        ["holder_house_id", "business_date"],
        unique=False,
    )
    op.create_index("ix_ledger_entry_order_id", "ledger_entry", ["order_id"], unique=False)
    op.create_index(
        "ix_ledger_entry_owner_date",
        "ledger_entry",
        ["owner_house_id", "business_date"],
        unique=False,
    )
    op.create_index(
        "ix_ledger_entry_owner_performance_date",
        "ledger_entry",
        ["owner_house_id", "performance_date"],
        unique=False,
    )
    op.create_index(
        "ix_ledger_entry_performance_id", "ledger_entry", ["performance_id"], unique=False
    )
    op.create_index(
        "ix_ledger_entry_till_session_id", "ledger_entry", ["till_session_id"], unique=False
    )
    op.create_table(
        "settlement_statement",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("after_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("through_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finalised_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "period_start <= period_end", name=op.f("ck_settlement_statement_period")
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
            name=op.f("fk_settlement_statement_cluster_id_cluster"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["finalised_by_id"],
            ["staff_user.id"],
            name=op.f("fk_settlement_statement_finalised_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_statement")),
        sa.UniqueConstraint(
            "cluster_id",
            "period_start",
            name=op.f("uq_settlement_statement_cluster_id_period_start"),
        ),
    )
    op.create_index(
        op.f("ix_settlement_statement_cluster_id"),
        "settlement_statement",
        ["cluster_id"],
        unique=False,
    )
    op.create_table(
        "settlement_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("holder_house_id", sa.Uuid(), nullable=False),
        sa.Column("owner_house_id", sa.Uuid(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("commission_bp", sa.Integer(), nullable=False),
        sa.Column("commission_cents", sa.BigInteger(), nullable=False),
        sa.Column("owed_cents", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_house_id"],
            ["house.id"],
            name=op.f("fk_settlement_line_holder_house_id_house"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_house_id"],
            ["house.id"],
            name=op.f("fk_settlement_line_owner_house_id_house"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["settlement_statement.id"],
            name=op.f("fk_settlement_line_statement_id_settlement_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_line")),
        sa.UniqueConstraint(
            "statement_id",
            "holder_house_id",
            "owner_house_id",
            name=op.f("uq_settlement_line_statement_id_holder_house_id_owner_house_id"),
        ),
    )
    op.create_index(
        op.f("ix_settlement_line_statement_id"), "settlement_line", ["statement_id"], unique=False
    )
    op.create_table(
        "settlement_entry",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["settlement_statement.id"],
            name=op.f("fk_settlement_entry_statement_id_settlement_statement"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_settlement_entry")),
    )
    op.create_index(
        op.f("ix_settlement_entry_statement_id"),
        "settlement_entry",
        ["statement_id"],
        unique=False,
    )
    op.create_table(
        "stripe_transfer",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("house_id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("reversed_cents", sa.Integer(), nullable=False),
        sa.Column("transfer_group", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "stripe_transfer_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.CheckConstraint(
            "amount_cents > 0 AND reversed_cents >= 0 AND reversed_cents <= amount_cents",
            name=op.f("ck_stripe_transfer_amounts"),
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
            name=op.f("fk_stripe_transfer_cluster_id_cluster"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_stripe_transfer_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_stripe_transfer_order_id_customer_order"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payment.id"],
            name=op.f("fk_stripe_transfer_payment_id_payment"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_transfer")),
        sa.UniqueConstraint(
            "order_id", "house_id", name=op.f("uq_stripe_transfer_order_id_house_id")
        ),
    )
    op.create_index(
        op.f("ix_stripe_transfer_cluster_id"), "stripe_transfer", ["cluster_id"], unique=False
    )
    op.create_index(
        op.f("ix_stripe_transfer_house_id"), "stripe_transfer", ["house_id"], unique=False
    )
    op.create_index(
        op.f("ix_stripe_transfer_order_id"), "stripe_transfer", ["order_id"], unique=False
    )
    op.create_table(
        "stripe_transfer_reversal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "stripe_reversal_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_stripe_transfer_reversal_positive")),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refund.id"],
            name=op.f("fk_stripe_transfer_reversal_refund_id_refund"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["stripe_transfer.id"],
            name=op.f("fk_stripe_transfer_reversal_transfer_id_stripe_transfer"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_transfer_reversal")),
        sa.UniqueConstraint(
            "refund_id",
            "transfer_id",
            name=op.f("uq_stripe_transfer_reversal_refund_id_transfer_id"),
        ),
    )
    op.create_index(
        op.f("ix_stripe_transfer_reversal_transfer_id"),
        "stripe_transfer_reversal",
        ["transfer_id"],
        unique=False,
    )
    op.add_column(
        "cluster",
        sa.Column(
            "stripe_transfers", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.add_column(
        "customer_order",
        sa.Column("fees_vat_rate_bp", sa.Integer(), server_default=sa.text("2100"), nullable=False),
    )
    op.add_column(
        "customer_order",
        sa.Column("by_phone", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "customer_order",
        sa.Column(
            "split_by_transfers", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.add_column(
        "house",
        sa.Column("vat_exempt", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "house",
        sa.Column("fee_vat_rate_bp", sa.Integer(), server_default=sa.text("2100"), nullable=False),
    )
    op.add_column(
        "house",
        sa.Column("commission_bp", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "tariff",
        sa.Column("vat_rate_bp", sa.Integer(), server_default=sa.text("600"), nullable=False),
    )
    op.add_column(
        "ticket",
        sa.Column("vat_rate_bp", sa.Integer(), server_default=sa.text("600"), nullable=False),
    )
    op.create_check_constraint(
        "rates",
        "house",
        "fee_vat_rate_bp BETWEEN 0 AND 10000 AND commission_bp BETWEEN 0 AND 10000",
    )
    op.create_check_constraint("vat_rate", "tariff", "vat_rate_bp >= 0 AND vat_rate_bp <= 10000")
    for statement in BACKFILL:
        op.execute(statement)
    op.execute(
        """
        CREATE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'ledger entries are never changed or deleted; book a correction'
                USING ERRCODE = 'restrict_violation';
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry "
        "FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()"
    )
    op.execute(
        "CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_append_only()"
    )


def downgrade() -> None:
    op.drop_constraint("vat_rate", "tariff", type_="check")
    op.drop_constraint("rates", "house", type_="check")
    op.drop_column("ticket", "vat_rate_bp")
    op.drop_column("tariff", "vat_rate_bp")
    op.drop_column("house", "commission_bp")
    op.drop_column("house", "fee_vat_rate_bp")
    op.drop_column("house", "vat_exempt")
    op.drop_column("customer_order", "split_by_transfers")
    op.drop_column("customer_order", "by_phone")
    op.drop_column("customer_order", "fees_vat_rate_bp")
    op.drop_column("cluster", "stripe_transfers")
    op.drop_index(
        op.f("ix_stripe_transfer_reversal_transfer_id"), table_name="stripe_transfer_reversal"
    )
    op.drop_table("stripe_transfer_reversal")
    op.drop_index(op.f("ix_stripe_transfer_order_id"), table_name="stripe_transfer")
    op.drop_index(op.f("ix_stripe_transfer_house_id"), table_name="stripe_transfer")
    op.drop_index(op.f("ix_stripe_transfer_cluster_id"), table_name="stripe_transfer")
    op.drop_table("stripe_transfer")
    op.drop_index(op.f("ix_settlement_entry_statement_id"), table_name="settlement_entry")
    op.drop_table("settlement_entry")
    op.drop_index(op.f("ix_settlement_line_statement_id"), table_name="settlement_line")
    op.drop_table("settlement_line")
    op.drop_index(op.f("ix_settlement_statement_cluster_id"), table_name="settlement_statement")
    op.drop_table("settlement_statement")
    op.drop_index("ix_ledger_entry_till_session_id", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_performance_id", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_owner_performance_date", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_owner_date", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_order_id", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_holder_date", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_cluster_id", table_name="ledger_entry")
    op.drop_table("ledger_entry")
    # Dropping the table drops its triggers; the function goes after it.
    op.execute("DROP FUNCTION ledger_entry_append_only()")


def _vat(gross: str, rate: str) -> str:
    """Half-up VAT of a gross at a rate in basis points, symmetric for negatives; in
    bigint (2 x gross x rate leaves the integer range from about 18,000 euro at 6 %) and
    an integer sign (sign() of an integer is a double precision)."""
    return (
        f"(sign({gross})::int * ((2 * abs({gross})::bigint * {rate} + (10000 + {rate}))"
        f" / (2 * (10000 + {rate}))))"
    )


_COLUMNS = (
    "at, business_date, cluster_id, kind, owner_house_id, seller_house_id, holder_house_id,"
    " channel, order_id, ticket_id, performance_id, performance_date, tariff_id, tariff_code,"
    " payment_method, till_session_id, clerk_id, payment_id, refund_id, quantity,"
    " gross_cents, vat_rate_bp, vat_cents, net_cents"
)
_DAY = "((({at}) AT TIME ZONE 'Europe/Brussels')::date)"
_CHANNEL = "CASE WHEN o.channel = 'online' THEN 'online' ELSE 'counter' END"
_SOLD_AT = (
    "coalesce((SELECT min(py.created_at) FROM payment py WHERE py.order_id = o.id"
    " AND py.status = 'succeeded'), o.created_at)"
)
_METHOD = (
    "(SELECT py.method FROM payment py WHERE py.order_id = o.id AND py.status = 'succeeded'"
    " ORDER BY py.created_at LIMIT 1)"
)


def _tickets(kind: str, at: str, sign: int, statuses: str, where: str = "TRUE") -> str:
    gross = f"({sign} * t.price_cents)"
    return f"""
    INSERT INTO ledger_entry ({_COLUMNS})
    SELECT {at}, {_DAY.format(at=at)}, t.cluster_id, '{kind}', t.house_id, o.house_id,
           o.house_id, {_CHANNEL}, o.id, t.id, t.performance_id,
           ((p.starts_at AT TIME ZONE 'Europe/Brussels')::date), t.tariff_id, t.tariff_code,
           {_METHOD}, NULL, o.created_by_id, NULL, NULL, {sign}, {gross}, 600,
           {_vat(gross, "600")}, {gross} - {_vat(gross, "600")}
    FROM ticket t JOIN customer_order o ON o.id = t.order_id
    JOIN performance p ON p.id = t.performance_id
    WHERE t.status IN ({statuses}) AND {where}
    """


def _fees(at: str, sign: int, where: str) -> str:
    gross = f"({sign} * o.fees_cents)"
    return f"""
    INSERT INTO ledger_entry ({_COLUMNS})
    SELECT {at}, {_DAY.format(at=at)}, o.cluster_id, 'fee', o.house_id, o.house_id, o.house_id,
           {_CHANNEL}, o.id, NULL, NULL, NULL, NULL, NULL, {_METHOD}, NULL, NULL, NULL, NULL, 0,
           {gross}, 2100, {_vat(gross, "2100")}, {gross} - {_vat(gross, "2100")}
    FROM customer_order o WHERE o.fees_cents > 0 AND {where}
    """


def _money(kind: str, table: str, sign: int) -> str:
    return f"""
    INSERT INTO ledger_entry ({_COLUMNS})
    SELECT m.created_at, {_DAY.format(at="m.created_at")}, m.cluster_id, '{kind}', m.house_id,
           m.house_id, m.house_id, {_CHANNEL}, o.id, NULL, NULL, NULL, NULL, NULL, m.method,
           m.till_session_id, m.created_by_id,
           {"m.id" if table == "payment" else "m.payment_id"},
           {"NULL" if table == "payment" else "m.id"}, 0, {sign} * m.amount_cents, 0, 0,
           {sign} * m.amount_cents
    FROM {table} m JOIN customer_order o ON o.id = m.order_id
    WHERE m.status = 'succeeded'
    """


_PAID = "o.paid_cents > 0 AND o.status NOT IN ('refund_due')"
# The order's history names both tickets of an exchange, and when it happened.
_EXCHANGED = (
    "(SELECT min(ev.at) FROM order_event ev WHERE ev.order_id = t.order_id"
    " AND ev.kind = 'exchanged' AND ev.data ->> '{side}' = t.id::text)"
)
_SOLD = "'valid', 'refunded', 'exchanged'"
BACKFILL = (
    # A ticket sold with its order; the new ticket of an exchange came in by it.
    _tickets("sale", _SOLD_AT, 1, _SOLD, f"{_EXCHANGED.format(side='new_ticket')} IS NULL"),
    _tickets(
        "exchange",
        _EXCHANGED.format(side="new_ticket"),
        1,
        _SOLD,
        f"{_EXCHANGED.format(side='new_ticket')} IS NOT NULL",
    ),
    _tickets("cancel", "t.updated_at", -1, "'refunded'"),
    _tickets(
        "exchange",
        f"coalesce({_EXCHANGED.format(side='old_ticket')}, t.updated_at)",
        -1,
        "'exchanged'",
    ),
    _fees(_SOLD_AT, 1, _PAID),
    # The fees went back with the last sold ticket, as the live code books it: a paid order
    # none of whose tickets is live any more, one of them refunded.
    _fees(
        "o.updated_at",
        -1,
        f"{_PAID} AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.order_id = o.id"
        " AND t.status IN ('valid', 'pending'))"
        " AND EXISTS (SELECT 1 FROM ticket t WHERE t.order_id = o.id AND t.status = 'refunded')",
    ),
    _money("payment", "payment", 1),
    _money("refund", "refund", -1),
    f"""
    INSERT INTO ledger_entry ({_COLUMNS})
    SELECT s.opened_at, {_DAY.format(at="s.opened_at")}, s.cluster_id, 'till_float', s.house_id,
           s.house_id, s.house_id, 'counter', NULL, NULL, NULL, NULL, NULL, NULL, 'cash', s.id,
           s.clerk_id, NULL, NULL, 0, s.float_cents, 0, 0, s.float_cents
    FROM till_session s
    """,
    f"""
    INSERT INTO ledger_entry ({_COLUMNS})
    SELECT s.closed_at, {_DAY.format(at="s.closed_at")}, s.cluster_id, 'till_difference',
           s.house_id, s.house_id, s.house_id, 'counter', NULL, NULL, NULL, NULL, NULL, NULL,
           'cash', s.id, s.clerk_id, NULL, NULL, 0, (s.report ->> 'difference_cents')::bigint,
           0, 0, (s.report ->> 'difference_cents')::bigint
    FROM till_session s
    WHERE s.closed_at IS NOT NULL AND coalesce((s.report ->> 'difference_cents')::bigint, 0) <> 0
    """,
)
