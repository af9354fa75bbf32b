"""The principals of recently seen bearer tokens, kept for a few seconds.

Every request checks its token's session, account and roles. In an on-sale rush the same
clerks send hundreds of requests a second, so each process remembers the answer for a
token briefly (`auth.principal_cache_seconds`; 0 switches it off). Changes made through
this process (logout, roles, accounts, API tokens, houses) clear it once they commit; other
API processes see them within those seconds. An entry never outlives its token.
"""

from __future__ import annotations

from datetime import datetime

from ticketing.core.ttl_cache import TtlCache
from ticketing.tenancy.principal import Principal

MAX_ENTRIES = 50_000

PrincipalCache = TtlCache[str, Principal, datetime]

PRINCIPALS = PrincipalCache(MAX_ENTRIES)
