"""Tasks by domain. Each loads rows by id and calls a ticketing service.

Every module of this package is a task module: the Celery app includes them all (MODULES),
so a new one cannot be left out of the worker. Listing them by hand once lost
`podium.orders.expire_due`: the beat sent it, the worker discarded it as unregistered.
"""

from __future__ import annotations

import pkgutil

# Found on disk without importing them: each imports the app, which reads this list.
MODULES: tuple[str, ...] = tuple(
    sorted(
        f"{__name__}.{module.name}"
        for module in pkgutil.iter_modules(__path__)
        if not module.name.startswith("_")
    )
)
