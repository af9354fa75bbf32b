"""Staff and the audit log as the API shows them."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.tenancy import repository as repo
from ticketing.tenancy.models import AuditEntry, StaffUser
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.schemas import AuditEntryOut, RoleOut, StaffOut
from ticketing.tenancy.service import visible_role


async def staff_out(
    session: AsyncSession, principal: Principal, users: list[StaffUser]
) -> list[StaffOut]:
    """Staff with only the roles the principal may see (not their roles in other houses)."""
    by_user: dict[uuid.UUID, list[RoleOut]] = {u.id: [] for u in users}
    for ra in await repo.roles_of(session, [u.id for u in users]):
        if visible_role(principal, ra):
            by_user[ra.user_id].append(RoleOut.model_validate(ra))
    return [
        StaffOut(
            id=u.id,
            email=u.email,
            name=u.name,
            language=u.language,
            is_active=u.is_active,
            roles=by_user[u.id],
        )
        for u in users
    ]


def audit_out(rows: list[tuple[AuditEntry, str | None]]) -> list[AuditEntryOut]:
    return [
        AuditEntryOut.model_validate(entry).model_copy(update={"user_email": email})
        for entry, email in rows
    ]
