"""Helpers of the tickets tests: a sale at the counter, the outbox run to the end, and an
SMTP server's inbox."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import Message
from typing import Any

import httpx
from support import Tenant
from world import ok

from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from ticketing.tenancy.roles import Role


class Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def sell(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    *,
    seats: list[str],
    standing: int = 0,
    email: str | None = "jan@example.be",
    language: str = "nl",
) -> dict[str, Any]:
    """A cash sale at the counter (the clerk's till opened when needed)."""
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await client.post(
        "/till/open", headers=clerk, json={"house_id": str(tenant.house.id), "float_cents": 0}
    )
    items: dict[str, Any] = {"seats": seats}
    if standing:
        items["standing"] = [{"area": "FLOOR", "quantity": standing}]
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={"house_id": str(tenant.house.id), "performance_id": performance["id"], **items},
        )
    )
    customer: dict[str, Any] = {"name": "Jan Peeters", "language": language}
    if email:
        customer["email"] = email
    return await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": hold["id"], "customer": customer, "payment": {"method": "cash"}},
        )
    )


async def run_outbox(sessionmaker: SessionMaker) -> int:
    """Carry out every due message, including those the handlers queue; how many ran."""
    done = 0
    while due := await outbox.due(sessionmaker):
        done += await outbox.process_all(sessionmaker, due)
    return done
