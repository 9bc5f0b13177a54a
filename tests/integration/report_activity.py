"""A generated period of realistic centre activity, written straight into the database.

Tickets on working days between 07:30 and 16:45 local with morning and early-afternoon
peaks, waits and service times drawn from log-normal laws (whole seconds), counters
each bound to services with one officer per counter per day (sometimes a stand-in),
no-shows, cancellations, transfers opening a new entry in another service, quick
ratings of served entries, dossiers with due dates, and a few detailed ratings.
The rows written are returned, so a test can compute the expected figures itself.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from queue_server.adapters.tables import (
    counter_services,
    counters,
    dossier_ratings,
    dossiers,
    quick_ratings,
    services,
    sites,
    tickets,
    users,
)
from queue_server.runtime import Runtime

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICERS = (
    "Nguyễn Thị Hương",
    "Trần Văn Đức",
    "Lê Thị Ánh",
    "Phạm Quốc Việt",
    "Hoàng Minh Châu",
    "Vũ Thị Nga",
    "Đặng Văn Hùng",
    "Bùi Thị Thủy",
)
LEVELS = (("very_satisfied", 45), ("satisfied", 40), ("not_satisfied", 12), ("very_unsatisfied", 3))
ID_BASE = 1_000_000


@dataclass
class Activity:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    dossier_ratings: list[dict[str, Any]] = field(default_factory=list)
    officers: dict[int, str] = field(default_factory=dict)


def _issue_moment(rng: random.Random, day: date) -> datetime:
    """Arrivals peak around 08:30 and 14:00; none after 16:45."""
    while True:
        hour = rng.gauss(8.8, 1.1) if rng.random() < 0.62 else rng.gauss(14.2, 1.0)
        if 7.5 <= hour <= 16.75:
            break
    local = datetime.combine(day, time(0), ZONE) + timedelta(seconds=int(hour * 3600))
    return local.astimezone(UTC)


def _lognormal_s(rng: random.Random, median_s: float, spread: float, cap_s: int) -> int:
    return max(5, min(cap_s, int(rng.lognormvariate(math.log(median_s), spread))))


def _working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _create_officers(runtime: Runtime, site_id: int, now: datetime) -> dict[int, str]:
    with runtime.uow() as uow:
        found = {}
        for index, name in enumerate(OFFICERS, start=1):
            username = f"canbo{index}"
            existing = uow.session.execute(
                select(users.c.id).where(users.c.username == username)
            ).scalar()
            if existing is None:
                existing = uow.session.execute(
                    insert(users).values(
                        site_id=site_id,
                        username=username,
                        full_name=name,
                        password_hash="-",
                        role="officer",
                        active=True,
                        created_at=now,
                    )
                ).inserted_primary_key[0]
            found[int(existing)] = name
        uow.commit()
    return found


def generate_activity(
    runtime: Runtime,
    start: date,
    end: date,
    *,
    per_service_day: int = 24,
    dossier_count: int = 240,
    seed: int = 9,
    batch: int = 20_000,
) -> Activity:
    """Write the activity of ``start``..``end`` (local dates) and return the rows written."""
    rng = random.Random(seed)
    now = datetime.combine(end + timedelta(days=1), time(12), ZONE).astimezone(UTC)
    with runtime.uow(readonly=True) as uow:
        site_id = uow.session.execute(select(sites.c.id)).scalar_one()
        service_ids = list(
            uow.session.execute(select(services.c.id).order_by(services.c.id)).scalars()
        )
        counter_rows = uow.session.execute(select(counters.c.id, counters.c.number)).all()
        links = uow.session.execute(select(counter_services)).all()
        last_id = uow.session.execute(select(func.max(tickets.c.id))).scalar() or 0
    serving: dict[int, list[int]] = {s: [] for s in service_ids}
    for link in links:
        serving[link.service_id].append(link.counter_id)
    for service_id, ids in serving.items():
        ids.extend([] if ids else [counter_rows[service_id % len(counter_rows)].id])
    activity = Activity(officers=_create_officers(runtime, site_id, now))
    officer_ids = sorted(activity.officers)
    next_id = max(ID_BASE, last_id)

    def entry(
        service_id: int,
        issued: datetime,
        wait_from: datetime,
        number: str,
        seq: int,
        day: date,
        origin: int | None,
    ) -> dict[str, Any]:
        nonlocal next_id
        next_id += 1
        counter_id = rng.choice(serving[service_id])
        roster = officer_ids[(counter_id + day.toordinal()) % len(officer_ids)]
        officer_id = roster if rng.random() < 0.9 else rng.choice(officer_ids)
        row: dict[str, Any] = {
            "id": next_id,
            "site_id": site_id,
            "service_id": service_id,
            "number": number,
            "seq": seq,
            "day": day.isoformat(),
            "track_token": f"t{next_id}",
            "issued_at": issued,
            "queued_at": issued,
            "priority": None,
            "source": "kiosk",
            "dossier_code": None,
            "state": "waiting",
            "called_at": None,
            "serving_at": None,
            "finished_at": None,
            "counter_id": None,
            "officer_id": None,
            "recall_count": 0,
            "transferred_from_id": origin,
        }
        fate = rng.random()
        if fate < 0.03:
            row.update(
                state="cancelled", finished_at=wait_from + timedelta(minutes=rng.randint(3, 40))
            )
            return row
        called = wait_from + timedelta(seconds=_lognormal_s(rng, 600, 0.7, 3 * 3600))
        row.update(called_at=called, counter_id=counter_id, officer_id=officer_id)
        if fate < 0.10:
            row.update(
                state="no_show",
                finished_at=called + timedelta(seconds=rng.randint(60, 240)),
                recall_count=rng.randint(1, 3),
            )
            return row
        serving_at = (
            called + timedelta(seconds=rng.randint(15, 120)) if rng.random() < 0.85 else None
        )
        started = serving_at or called
        finished = started + timedelta(seconds=_lognormal_s(rng, 420, 0.55, 2 * 3600))
        state = "transferred" if fate < 0.16 and origin is None else "done"
        row.update(state=state, serving_at=serving_at, finished_at=finished)
        return row

    rows = activity.tickets
    for day in _working_days(start, end):
        for index, service_id in enumerate(service_ids):
            prefix = "ABCDEF"[index % 6]
            count = max(1, int(rng.gauss(per_service_day, per_service_day * 0.25)))
            for seq in range(1, count + 1):
                issued = _issue_moment(rng, day)
                first = entry(service_id, issued, issued, f"{prefix}{seq:03d}", seq, day, None)
                rows.append(first)
                if first["state"] == "transferred":
                    target = rng.choice([s for s in service_ids if s != service_id])
                    rows.append(
                        entry(
                            target,
                            issued,
                            first["finished_at"],
                            first["number"],
                            seq,
                            day,
                            first["id"],
                        )
                    )
    for row in rows:
        if row["state"] == "done" and rng.random() < 0.6:
            level = rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]
            activity.ratings.append(
                {
                    "site_id": site_id,
                    "ticket_id": row["id"],
                    "counter_id": row["counter_id"],
                    "officer_id": row["officer_id"],
                    "service_id": row["service_id"],
                    "level": level,
                    "reasons": [],
                    "comment": "",
                    "device": "rating-1",
                    "at": row["finished_at"] + timedelta(seconds=rng.randint(3, 25)),
                }
            )
    days = _working_days(start, end)
    for n in range(dossier_count):
        received = _issue_moment(rng, rng.choice(days))
        due = received + timedelta(days=rng.choice((3, 5, 7, 10, 15)))
        status = rng.choices((2, 4, 5, 9, 10, 3), (5, 20, 5, 15, 50, 5))[0]
        finished = None
        if status in (9, 10):
            candidate = due + timedelta(hours=rng.choice((-96, -30, -2, 3, 30)))
            finished = min(max(candidate, received + timedelta(hours=1)), now - timedelta(hours=1))
        activity.dossiers.append(
            {
                "site_id": site_id,
                "code": f"000.00.06.H56-{received:%y%m%d}-{n:04d}",
                "status": status,
                "upstream_status": "",
                "procedure_code": f"1.00{n % 7}",
                "procedure_name": "Đăng ký khai sinh",
                "agency": "UBND phường",
                "applicant_name": "Nguyễn Văn A",
                "received_at": received,
                "due_at": due,
                "finished_at": finished,
                "collect_at": "",
                "steps": [],
                "source": "import",
                "upstream_updated_at": None,
                "synced_at": now,
            }
        )
        if finished is not None and n % 4 == 0:
            total = rng.randint(6, 12)
            activity.dossier_ratings.append(
                {
                    "site_id": site_id,
                    "dossier_code": activity.dossiers[-1]["code"],
                    "scores": {},
                    "total": total,
                    "maximum": 12,
                    "comment": "",
                    "device": "kiosk-1",
                    "at": finished + timedelta(hours=2),
                }
            )
    for table, data in (
        (tickets, rows),
        (quick_ratings, activity.ratings),
        (dossiers, activity.dossiers),
        (dossier_ratings, activity.dossier_ratings),
    ):
        for offset in range(0, len(data), batch):
            with runtime.uow() as uow:
                uow.session.execute(insert(table), data[offset : offset + batch])
                uow.commit()
    return activity
