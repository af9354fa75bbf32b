"""DEMO DATA of the three pilot clusters (Gent, Zuidwest, Zender).

Fictional houses, halls and shows, flagged is_demo and named "(demo)", built through the
same services as the API so the demo exercises the real validation. Idempotent: a
database that already has the demo is left alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

import ticketing.handlers  # noqa: F401 - the services below send signals
from ticketing import clock
from ticketing.checkin.models import ScannerDevice
from ticketing.core.security import hash_password, sha256_hex
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.demo.sales import seed_sales
from ticketing.events import performances as perf_service
from ticketing.events import service as event_service
from ticketing.events.models import EventStatus, PerformanceStatus, PriceRule, TariffKind
from ticketing.events.schemas import (
    EventIn,
    EventPatch,
    LocalizedText,
    LocalizedTitle,
    PerformanceIn,
    PerformancePatch,
    PriceIn,
    TariffIn,
)
from ticketing.seatmaps import service as layout_service
from ticketing.seatmaps.demo_layouts import DEMO_LAYOUTS
from ticketing.tenancy.models import Cluster, House, RoleAssignment, StaffUser
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import Role
from ticketing.venues import service as venue_service
from ticketing.venues.schemas import HallIn, VenueIn

DEMO_PASSWORD = "podium-demo-2026"  # noqa: S105 - printed on purpose: demo logins
DEMO_DOMAIN = "podium.demo"
SYSTEM = Principal(user_id=None, email=None, is_platform_admin=True)
PLATFORM_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
HOUSE_ROLES = (Role.HOUSE_ADMIN, Role.BOX_OFFICE, Role.SCANNER, Role.FINANCE)

# Prices per zone in cents, by kind of hall.
ZONE_PRICES = {
    "theatre_600": {"A": 3200, "B": 2600, "C": 1900},
    "studio_250": {"A": 1600},
    "standing_1200": {"A": 2800},
}


@dataclass(frozen=True)
class HallSpec:
    name: str
    layout: str  # a key of DEMO_LAYOUTS


@dataclass(frozen=True)
class HouseSpec:
    slug: str
    name: str
    prefix: str
    venue: str
    street: str
    postal_code: str
    city: str
    halls: tuple[HallSpec, ...]
    staff: bool = False  # demo logins per role for this house


@dataclass(frozen=True)
class ShowSpec:
    house: str
    hall: str
    title_nl: str
    title_fr: str
    title_en: str
    genre: str
    days: tuple[int, ...]  # days from today, one performance each
    hour: int = 20
    age_min: int | None = None
    description: str = ""


@dataclass(frozen=True)
class ClusterSpec:
    slug: str
    name: str
    houses: tuple[HouseSpec, ...]
    shows: tuple[ShowSpec, ...]


THEATRE = HallSpec("Grote zaal", "theatre_600")
STUDIO = HallSpec("Studio", "studio_250")
CONCERT = HallSpec("Concertzaal", "standing_1200")

CLUSTERS = (
    ClusterSpec(
        "gent",
        "Gent (demo)",
        (
            HouseSpec(
                "gent-reinaert",
                "Theater Reinaert (demo)",
                "REI",
                "Theater Reinaert",
                "Kouter 12",
                "9000",
                "Gent",
                (THEATRE, STUDIO),
                staff=True,
            ),
            HouseSpec(
                "gent-leiezaal",
                "Concertzaal Leie (demo)",
                "LEI",
                "Leiezaal",
                "Leiekaai 4",
                "9000",
                "Gent",
                (CONCERT,),
            ),
            HouseSpec(
                "gent-ledeberg",
                "GC Ledeberg (demo)",
                "LED",
                "Gemeenschapscentrum Ledeberg",
                "Hoveniersstraat 30",
                "9050",
                "Gent",
                (STUDIO,),
            ),
        ),
        (
            ShowSpec(
                "gent-reinaert",
                "Grote zaal",
                "De Storm",
                "La Tempête",
                "The Tempest",
                "0.55.0.0.0",
                (1, 2, 9),
                description="Shakespeare in een nieuwe vertaling.",
            ),
            ShowSpec(
                "gent-reinaert",
                "Grote zaal",
                "Zwanenmeer",
                "Le Lac des cygnes",
                "Swan Lake",
                "0.54.0.0.0",
                (5, 6),
                hour=19,
            ),
            ShowSpec(
                "gent-reinaert",
                "Studio",
                "Stand-up: Late Night Gent",
                "Stand-up Gand",
                "Stand-up Ghent",
                "0.55.0.0.0",
                (0, 7),
                hour=21,
                age_min=16,
            ),
            ShowSpec(
                "gent-leiezaal",
                "Concertzaal",
                "Leie Jazz Night",
                "Nuit du jazz",
                "Jazz night",
                "0.50.4.0.0",
                (3, 17),
            ),
            ShowSpec(
                "gent-leiezaal",
                "Concertzaal",
                "Indie op de Leie",
                "Indie sur la Lys",
                "Indie on the Lys",
                "0.50.4.0.0",
                (10,),
            ),
            ShowSpec(
                "gent-ledeberg",
                "Studio",
                "Filmavond: Klassiekers",
                "Soirée cinéma",
                "Film night",
                "0.50.6.0.0",
                (4, 11, 18),
                hour=20,
            ),
        ),
    ),
    ClusterSpec(
        "zuidwest",
        "Zuidwest (demo)",
        (
            HouseSpec(
                "zw-kortrijk",
                "CC Kortrijk Broel (demo)",
                "KOR",
                "Cultuurcentrum Broel",
                "Broelkaai 6",
                "8500",
                "Kortrijk",
                (THEATRE, CONCERT),
                staff=True,
            ),
            HouseSpec(
                "zw-waregem",
                "CC Waregem Lichtstad (demo)",
                "WAR",
                "CC Lichtstad",
                "Schakelstraat 1",
                "8790",
                "Waregem",
                (STUDIO,),
            ),
            HouseSpec(
                "zw-menen",
                "CC Menen Vaartkant (demo)",
                "MEN",
                "CC Vaartkant",
                "Vaartstraat 2",
                "8930",
                "Menen",
                (STUDIO,),
            ),
        ),
        (
            ShowSpec(
                "zw-kortrijk",
                "Grote zaal",
                "Het Gezin van Paemel",
                "La Famille Paemel",
                "The Paemel Family",
                "0.55.0.0.0",
                (2, 3, 16),
            ),
            ShowSpec(
                "zw-kortrijk",
                "Concertzaal",
                "Kortrijk Rockt",
                "Courtrai Rock",
                "Kortrijk Rocks",
                "0.50.4.0.0",
                (8, 22),
            ),
            ShowSpec(
                "zw-kortrijk",
                "Grote zaal",
                "Kerstconcert Brassband",
                "Concert de Noël",
                "Christmas brass concert",
                "0.50.4.0.0",
                (30,),
                hour=15,
            ),
            ShowSpec(
                "zw-waregem",
                "Studio",
                "Lezing: Leie en vlas",
                "Conférence: la Lys et le lin",
                "Talk: river and flax",
                "0.3.2.0.0",
                (6, 13),
                hour=19,
            ),
            ShowSpec(
                "zw-menen",
                "Studio",
                "Kindervoorstelling Pim",
                "Spectacle jeunesse Pim",
                "Children's show Pim",
                "0.55.0.0.0",
                (5, 12),
                hour=14,
                age_min=4,
            ),
        ),
    ),
    ClusterSpec(
        "zender",
        "Zender (demo)",
        (
            HouseSpec(
                "zender-halle",
                "CC Halle Zenne (demo)",
                "HAL",
                "CC 't Vondel",
                "Zuster Bernardastraat 32",
                "1500",
                "Halle",
                (THEATRE, CONCERT),
                staff=True,
            ),
            HouseSpec(
                "zender-lennik",
                "GC Lennik Pajot (demo)",
                "LEN",
                "GC De Pajot",
                "Markt 20",
                "1750",
                "Lennik",
                (STUDIO,),
            ),
            HouseSpec(
                "zender-dilbeek",
                "CC Dilbeek Wolfsheide (demo)",
                "DIL",
                "CC Westrand",
                "Kamerijklaan 46",
                "1700",
                "Dilbeek",
                (STUDIO,),
            ),
        ),
        (
            ShowSpec(
                "zender-halle",
                "Grote zaal",
                "Pajotse Bruegel",
                "Bruegel au Pajottenland",
                "Bruegel's Pajottenland",
                "0.55.0.0.0",
                (4, 5, 19),
            ),
            ShowSpec(
                "zender-halle",
                "Concertzaal",
                "Zennebeats",
                "Zennebeats",
                "Zennebeats",
                "0.49.0.0.0",
                (9,),
                hour=22,
                age_min=16,
            ),
            ShowSpec(
                "zender-lennik",
                "Studio",
                "Poëzieavond",
                "Soirée poésie",
                "Poetry evening",
                "0.3.2.0.0",
                (7, 21),
            ),
            ShowSpec(
                "zender-dilbeek",
                "Studio",
                "Dansatelier",
                "Atelier de danse",
                "Dance workshop",
                "0.3.1.0.0",
                (3, 10, 24),
                hour=10,
            ),
        ),
    ),
)


@dataclass
class DemoLogin:
    email: str
    role: str
    scope: str


@dataclass
class DemoSummary:
    created: bool
    clusters: int = 0
    houses: int = 0
    performances: int = 0
    orders: int = 0


async def _user(
    session: AsyncSession, email: str, name: str, platform_admin: bool = False
) -> StaffUser:
    user = StaffUser(
        email=email,
        name=name,
        password_hash=hash_password(DEMO_PASSWORD),
        is_platform_admin=platform_admin,
    )
    session.add(user)
    await session.flush()
    return user


def _at(day: int, hour: int) -> datetime:
    local_day = clock.local(clock.now()).date() + timedelta(days=day)
    return datetime.combine(local_day, time(hour, 0), tzinfo=clock.BRUSSELS)


async def _tariffs(session: AsyncSession, event_id: uuid.UUID) -> None:
    extra = [
        TariffIn(
            code="U26",
            name=LocalizedTitle(nl="-26 jaar", fr="-26 ans", en="Under 26"),
            kind=TariffKind.YOUTH,
            rule=PriceRule.PERCENT_OFF,
            value=25,
            requires_check=True,
            position=1,
        ),
        TariffIn(
            code="65PLUS",
            name=LocalizedTitle(nl="65-plus", fr="65+", en="65+"),
            kind=TariffKind.SENIOR,
            rule=PriceRule.AMOUNT_OFF,
            value=200,
            requires_check=True,
            position=2,
        ),
        TariffIn(
            code="UITPAS",
            name=LocalizedTitle(
                nl="UiTPAS kansentarief", fr="UiTPAS tarif social", en="UiTPAS social tariff"
            ),
            kind=TariffKind.UITPAS,
            rule=PriceRule.UITPAS,
            requires_check=True,
            max_per_order=4,
            position=3,
        ),
        TariffIn(
            code="VRIJ",
            name=LocalizedTitle(nl="Vrijkaart", fr="Invitation", en="Complimentary"),
            kind=TariffKind.COMPLIMENTARY,
            rule=PriceRule.FREE,
            max_per_order=2,
            staff_only=True,  # given at the counter, never picked online
            position=9,
        ),
    ]
    for tariff in extra:
        await event_service.create_tariff(session, SYSTEM, event_id, tariff)


async def _seed_cluster(session: AsyncSession, spec: ClusterSpec, summary: DemoSummary) -> None:
    cluster = Cluster(slug=spec.slug, name=spec.name, is_demo=True)
    session.add(cluster)
    await session.flush()
    summary.clusters += 1
    admin = await _user(session, cluster_admin_email(spec), f"Clusteradmin {spec.name}")
    session.add(RoleAssignment(user_id=admin.id, role=Role.CLUSTER_ADMIN, cluster_id=cluster.id))

    halls: dict[tuple[str, str], tuple[uuid.UUID, str]] = {}
    houses: dict[str, House] = {}
    for hs in spec.houses:
        house = House(
            cluster_id=cluster.id,
            slug=hs.slug,
            name=hs.name,
            order_code_prefix=hs.prefix,
            email=f"tickets@{hs.slug}.{DEMO_DOMAIN}",
            phone="+32 9 123 45 67",
            is_demo=True,
        )
        session.add(house)
        await session.flush()
        houses[hs.slug] = house
        summary.houses += 1
        venue = await venue_service.create_venue(
            session,
            SYSTEM,
            VenueIn(
                house_id=house.id,
                name=hs.venue,
                street=hs.street,
                postal_code=hs.postal_code,
                city=hs.city,
            ),
        )
        for hall_spec in hs.halls:
            hall = await venue_service.create_hall(
                session, SYSTEM, HallIn(venue_id=venue.id, name=hall_spec.name)
            )
            layout = await layout_service.save_layout(
                session, SYSTEM, hall.id, DEMO_LAYOUTS[hall_spec.layout]()
            )
            halls[(hs.slug, hall_spec.name)] = (hall.id, hall_spec.layout)
            del layout
        if hs.staff:
            for role in HOUSE_ROLES:
                user = await _user(
                    session,
                    house_staff_email(hs, role),
                    f"{role.value} {hs.name}",
                )
                session.add(
                    RoleAssignment(
                        user_id=user.id, role=role, cluster_id=cluster.id, house_id=house.id
                    )
                )
    await session.flush()

    shows_of: dict[str, list[uuid.UUID]] = {}
    for show in spec.shows:
        house = houses[show.house]
        event = await event_service.create_event(
            session,
            SYSTEM,
            EventIn(
                house_id=house.id,
                title=LocalizedTitle(nl=show.title_nl, fr=show.title_fr, en=show.title_en),
                description=LocalizedText(
                    nl=show.description or f"{show.title_nl} in {house.name}."
                ),
                event_type_id=show.genre,
                age_min=show.age_min,
            ),
        )
        await _tariffs(session, event.id)
        hall_id, layout_key = halls[(show.house, show.hall)]
        for day in show.days:
            starts = _at(day, show.hour)
            if starts <= clock.now():
                starts = _at(day + 1, show.hour)
            performance = await perf_service.create_performance(
                session,
                SYSTEM,
                event.id,
                PerformanceIn(
                    hall_id=hall_id,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    prices=[
                        PriceIn(zone=z, amount_cents=c) for z, c in ZONE_PRICES[layout_key].items()
                    ],
                ),
            )
            await perf_service.update_performance(
                session, SYSTEM, performance.id, PerformancePatch(status=PerformanceStatus.ON_SALE)
            )
            shows_of.setdefault(show.house, []).append(performance.id)
            summary.performances += 1
        await event_service.update_event(
            session, SYSTEM, event.id, EventPatch(status=EventStatus.PUBLISHED)
        )
    for hs in spec.houses:
        if hs.staff:
            # A door device with a token anyone can read: demo data only.
            session.add(
                ScannerDevice(
                    house_id=houses[hs.slug].id,
                    cluster_id=cluster.id,
                    name="Demo-deur",
                    token_hash=sha256_hex(demo_device_token(hs)),
                    performance_ids=shows_of.get(hs.slug, []),
                    gates=["hoofdingang", "zijingang"],
                )
            )


def demo_device_token(house: HouseSpec) -> str:
    return f"dev_demo-{house.slug}"


def demo_scanners() -> list[tuple[str, str]]:
    """(house, device token) of the demo's door devices, to print on every start."""
    return [(hs.name, demo_device_token(hs)) for spec in CLUSTERS for hs in spec.houses if hs.staff]


async def seed_demo(sessionmaker: SessionMaker) -> DemoSummary:
    async with unit_of_work(sessionmaker) as session:
        existing = (
            await session.exec(select(Cluster).where(Cluster.slug == CLUSTERS[0].slug))
        ).first()
        if existing is not None:
            return DemoSummary(created=False)
        summary = DemoSummary(created=True)
        await _user(session, PLATFORM_ADMIN_EMAIL, "Platform admin (demo)", platform_admin=True)
        for spec in CLUSTERS:
            await _seed_cluster(session, spec, summary)
        for spec in CLUSTERS:
            summary.orders += await _seed_sales(session, spec)
    return summary


async def _seed_sales(session: AsyncSession, spec: ClusterSpec) -> int:
    """The last days' sales of the cluster, by the clerks of its houses with staff."""
    cluster = (await session.exec(select(Cluster).where(Cluster.slug == spec.slug))).one()
    clerks = {}
    for hs in spec.houses:
        if hs.staff:
            email = house_staff_email(hs, Role.BOX_OFFICE)
            user = (await session.exec(select(StaffUser).where(StaffUser.email == email))).one()
            clerks[hs.slug] = user.id
    return await seed_sales(session, cluster.id, clerks)


def cluster_admin_email(spec: ClusterSpec) -> str:
    return f"{spec.slug}.cluster@{DEMO_DOMAIN}"


def house_staff_email(house: HouseSpec, role: Role) -> str:
    return f"{house.slug}.{role.value.replace('_', '')}@{DEMO_DOMAIN}"


def demo_logins() -> list[DemoLogin]:
    """The logins seed_demo creates, to print on every start."""
    logins = [DemoLogin(PLATFORM_ADMIN_EMAIL, "platform_admin", "whole platform")]
    for spec in CLUSTERS:
        logins.append(DemoLogin(cluster_admin_email(spec), Role.CLUSTER_ADMIN, spec.name))
        logins.extend(
            DemoLogin(house_staff_email(hs, role), role, hs.name)
            for hs in spec.houses
            if hs.staff
            for role in HOUSE_ROLES
        )
    return logins
