"""Import every table so the metadata is complete (Alembic, tests)."""

from ticketing.checkin.models import Scan, ScannerDevice
from ticketing.core.outbox import OutboxMessage
from ticketing.core.ratelimit import RateLimitCounter
from ticketing.customers.models import Customer
from ticketing.db.base import metadata
from ticketing.events.models import Event, Performance, PerformancePrice, Tariff
from ticketing.inventory.models import Allocation, Hold, StandingStock
from ticketing.money.models import (
    LedgerEntry,
    SettlementEntry,
    SettlementLine,
    SettlementStatement,
)
from ticketing.orders.models import (
    IdempotencyRecord,
    Order,
    OrderEvent,
    Payment,
    Refund,
    Ticket,
    TillSession,
)
from ticketing.payments.models import InboundEvent, StripeTransfer, StripeTransferReversal
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.tenancy.models import (
    ApiToken,
    AuditEntry,
    AuthSession,
    Cluster,
    House,
    RoleAssignment,
    StaffUser,
)
from ticketing.tickets.models import HouseLogo, SigningKey
from ticketing.uitdatabank.models import UitdatabankEvent
from ticketing.venues.models import Hall, Venue

__all__ = [
    "Allocation",
    "ApiToken",
    "AuditEntry",
    "AuthSession",
    "Cluster",
    "Customer",
    "Event",
    "Hall",
    "Hold",
    "House",
    "HouseLogo",
    "IdempotencyRecord",
    "InboundEvent",
    "LedgerEntry",
    "Order",
    "OrderEvent",
    "OutboxMessage",
    "Payment",
    "Performance",
    "PerformancePrice",
    "RateLimitCounter",
    "Refund",
    "RoleAssignment",
    "Scan",
    "ScannerDevice",
    "SeatMapLayout",
    "SettlementEntry",
    "SettlementLine",
    "SettlementStatement",
    "SigningKey",
    "StaffUser",
    "StandingStock",
    "StripeTransfer",
    "StripeTransferReversal",
    "Tariff",
    "Ticket",
    "TillSession",
    "UitdatabankEvent",
    "Venue",
    "metadata",
]
