"""Clusters, houses, staff users, roles, sessions and API tokens; the scoping helper."""
