"""HTTP endpoints of the settlement statements between the houses of a cluster (cluster
admin): make or recompute a month's draft, refresh it, finalise it, read it as JSON or
CSV."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from ticketing.core.openapi import problem, success
from ticketing.money import settlement
from ticketing.money.settlement_schemas import StatementIn, StatementOut, StatementSummaryOut
from ticketing.money.settlement_views import statement_out
from ticketing.money.views import answer
from ticketing.tenancy.deps import Caller, Db

_FINAL = problem(409, "The statement is final, or the period overlaps a final one.")


class SettlementController(Controller):
    path = "/clusters/{cluster_id:uuid}/settlements"
    tags = ["money"]

    @get("/", summary="The cluster's settlement statements, latest period first")
    async def list_statements(
        self, db: Db, principal: Caller, cluster_id: FromPath[uuid.UUID]
    ) -> list[StatementSummaryOut]:
        rows = await settlement.list_statements(db, principal, cluster_id)
        return [StatementSummaryOut.model_validate(row) for row in rows]

    @post(
        "/",
        summary="Make (or recompute) the draft statement of a month or a period",
        responses={200: success(StatementOut, "The period's draft, recomputed."), 409: _FINAL},
    )
    async def create(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        data: JSONBody[StatementIn],
    ) -> Response[StatementOut]:
        """`{"month": "2026-03"}` or `{"period_start": ..., "period_end": ...}`. Posting
        the same period again recomputes its draft (200); a final one is a 409."""
        if data.month is not None:
            start, end = settlement.month_period(data.month)
        else:
            assert data.period_start is not None
            assert data.period_end is not None
            start, end = data.period_start, data.period_end
        made = await settlement.create_or_recompute(db, principal, cluster_id, start, end)
        return Response(statement_out(made), status_code=201 if made.created else 200)

    @get("/{statement_id:uuid}", summary="A statement: lines, pairwise nets, totals")
    async def get_statement(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        statement_id: FromPath[uuid.UUID],
    ) -> StatementOut:
        return statement_out(
            await settlement.get_statement(db, principal, cluster_id, statement_id)
        )

    @get(
        "/{statement_id:uuid}/lines.csv",
        summary="A statement's lines as CSV (`;` separated, decimal commas)",
        media_type="text/csv",
    )
    async def statement_csv(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        statement_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        report = (await settlement.get_statement(db, principal, cluster_id, statement_id)).report()
        return answer(report, "csv")

    @post(
        "/{statement_id:uuid}/refresh",
        summary="Recompute a draft from the ledger",
        status_code=200,
        responses={409: _FINAL},
    )
    async def refresh(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        statement_id: FromPath[uuid.UUID],
    ) -> StatementOut:
        return statement_out(await settlement.refresh(db, principal, cluster_id, statement_id))

    @post(
        "/{statement_id:uuid}/finalise",
        summary="Make a draft final (again: harmless, nothing changes)",
        status_code=200,
        responses={409: problem(409, "The ledger changed since the draft was computed.")},
    )
    async def finalise(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        statement_id: FromPath[uuid.UUID],
    ) -> StatementOut:
        return statement_out(await settlement.finalise(db, principal, cluster_id, statement_id))


CONTROLLERS = [SettlementController]
