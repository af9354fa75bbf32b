"""Staff roles and what each may do. A role is held in one house, or in a whole cluster
(then it applies to every house of that cluster)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLUSTER_ADMIN = "cluster_admin"
    HOUSE_ADMIN = "house_admin"
    BOX_OFFICE = "box_office"
    SCANNER = "scanner"
    FINANCE = "finance"


ALL_ROLES: frozenset[Role] = frozenset(Role)
# Anyone with any role in a house may read its venues, halls, layouts and programme.
READ: frozenset[Role] = ALL_ROLES
# Changing a house's set-up (venues, halls, seat maps, events, prices, staff, devices).
MANAGE: frozenset[Role] = frozenset({Role.HOUSE_ADMIN, Role.CLUSTER_ADMIN})
# Who sells at a counter: the box office and the admins.
SELLERS: frozenset[Role] = MANAGE | {Role.BOX_OFFICE}
# Who reads a house's finance reports (a cluster admin: of every house of its cluster).
REPORTS: frozenset[Role] = frozenset({Role.HOUSE_ADMIN, Role.CLUSTER_ADMIN, Role.FINANCE})
# Roles that may only be held cluster-wide.
CLUSTER_ONLY: frozenset[Role] = frozenset({Role.CLUSTER_ADMIN})
# Roles an API token (integration or scanner device) may carry: never an admin role.
TOKEN_ROLES: frozenset[Role] = frozenset({Role.BOX_OFFICE, Role.SCANNER, Role.FINANCE})
