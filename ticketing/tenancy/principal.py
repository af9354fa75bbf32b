"""Who is calling, and in which houses they hold which roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from ticketing.tenancy.roles import Role


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID | None
    email: str | None
    is_platform_admin: bool = False
    session_id: uuid.UUID | None = None
    api_token_id: uuid.UUID | None = None
    # Effective roles per house: a cluster-wide role appears under every house of its cluster.
    house_roles: dict[uuid.UUID, frozenset[Role]] = field(default_factory=dict)
    # Roles held at cluster level, per cluster.
    cluster_roles: dict[uuid.UUID, frozenset[Role]] = field(default_factory=dict)
    # Cluster of every house the principal can see.
    house_cluster: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    def house_ids(self, roles: Iterable[Role]) -> set[uuid.UUID] | None:
        """Houses where the principal holds one of roles; None means every house."""
        if self.is_platform_admin:
            return None
        wanted = frozenset(roles)
        return {h for h, held in self.house_roles.items() if held & wanted}

    def cluster_ids(self, roles: Iterable[Role] | None = None) -> set[uuid.UUID] | None:
        """Clusters the principal belongs to (through any house or cluster role)."""
        if self.is_platform_admin:
            return None
        if roles is None:
            return set(self.house_cluster.values()) | set(self.cluster_roles)
        wanted = frozenset(roles)
        return {c for c, held in self.cluster_roles.items() if held & wanted}

    def has(self, house_id: uuid.UUID, roles: Iterable[Role]) -> bool:
        if self.is_platform_admin:
            return True
        return bool(self.house_roles.get(house_id, frozenset()) & frozenset(roles))

    def has_in_cluster(self, cluster_id: uuid.UUID, roles: Iterable[Role]) -> bool:
        if self.is_platform_admin:
            return True
        return bool(self.cluster_roles.get(cluster_id, frozenset()) & frozenset(roles))

    def has_any(self, roles: Iterable[Role]) -> bool:
        if self.is_platform_admin:
            return True
        wanted = frozenset(roles)
        return any(held & wanted for held in self.house_roles.values()) or any(
            held & wanted for held in self.cluster_roles.values()
        )
