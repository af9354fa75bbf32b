"""The per-process cache: a full cache makes room by its oldest entry, not by emptying."""

from __future__ import annotations

from ticketing.core.ttl_cache import TtlCache


def test_a_full_cache_drops_its_oldest_entry_only() -> None:
    cache: TtlCache[str, int, float] = TtlCache(3)
    for n, key in enumerate("abc"):
        cache.put(key, n, 100.0, generation=cache.generation)
    cache.put("a", 10, 100.0, generation=cache.generation)  # a known key takes no room
    assert len(cache) == 3
    cache.put("d", 3, 100.0, generation=cache.generation)
    assert [cache.get(k, 0.0) for k in "abcd"] == [None, 1, 2, 3]
    # A value read before a clear is not kept; the expired one is gone.
    generation = cache.generation
    cache.clear()
    cache.put("e", 4, 100.0, generation=generation)
    assert cache.get("e", 0.0) is None
    cache.put("f", 5, 1.0, generation=cache.generation)
    assert cache.get("f", 2.0) is None
    assert cache.peek("f") is None
