"""A new registration as one PostgreSQL statement: lock, decide, count, insert, audit.

Used by ``services.registration_create`` for the common case (a new email) on
PostgreSQL. The statement, sent in autocommit, is its own transaction:

1. ``locked`` takes the event row ``FOR UPDATE``. In READ COMMITTED a row that
   another registration changed while we waited is re-read, so the counters and
   the capacity are the committed ones, never those of the statement's snapshot.
2. ``decision`` checks that registration is still open and decides from the
   counters on that row: confirmed while ``seats_taken < capacity``, otherwise
   the waiting list, where ``waiting + 1`` is the newcomer's place. Its time is
   read after the lock, so ``created_at`` follows the order of the lock.
3. ``counted`` moves the matching counter on the same row.
4. ``registration`` inserts the registration; a second one with the same email
   meets the unique constraint and the whole statement fails, changing nothing.
5. ``audit`` writes the same entry ``core.services.audit_record`` would.

The lock is held from step 1 to the commit at the end of the statement, with no
round trip to the application in between, which is what lets registrations for
one event follow each other quickly. Why the counters instead of counting the
registrations here: within one statement the count would read the snapshot
taken before the lock was granted, and could miss a registration that
committed while we waited.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Field

from cityexchange.core.models import AuditEntry
from cityexchange.events.models import Attendance, Event, EventStatus, Registration

# Written by the statement itself rather than taken from Python.
_COMPUTED = ("id", "event", "status", "created_at", "confirmed_at")


class Decision(NamedTuple):
    registration_id: int
    status: str
    created_at: dt.datetime
    waiting_before: int


def _column(model: Any, name: str) -> str:
    return str(connection.ops.quote_name(model._meta.get_field(name).column))


@cache
def _statement(attendance: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    """The SQL for one kind of attendance and the registration columns it takes from Python."""
    q = connection.ops.quote_name
    suffix = "onsite" if attendance == Attendance.ONSITE else "online"
    event_table = q(Event._meta.db_table)
    capacity = _column(Event, f"capacity_{suffix}")
    taken = _column(Event, f"seats_taken_{suffix}")
    waiting = _column(Event, f"waiting_{suffix}")
    fields = tuple(f for f in Registration._meta.concrete_fields if f.name not in _COMPUTED)
    columns = ", ".join(q(str(f.column)) for f in fields)
    values = ", ".join(f"%({f.name})s" for f in fields)
    audit = AuditEntry._meta
    audit_columns = ", ".join(
        _column(AuditEntry, name)
        for name in (
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
        )
    )
    # Only quoted names from the models' metadata are put in; every value is a parameter.
    sql = f"""
WITH locked AS MATERIALIZED (
    SELECT id, status, starts_at, registration_opens_at, registration_closes_at,
           requires_approval, {capacity} AS capacity, {taken} AS taken, {waiting} AS waiting
    FROM {event_table} WHERE id = %(event_id)s FOR UPDATE
), decision AS MATERIALIZED (
    SELECT id,
           CASE WHEN requires_approval THEN 'pending'
                WHEN capacity IS NULL OR taken < capacity THEN 'confirmed'
                ELSE 'waitlisted' END AS status,
           waiting,
           clock_timestamp() AS at
    FROM locked
    WHERE status = %(published)s
      AND (registration_opens_at IS NULL OR registration_opens_at <= %(now)s)
      AND %(now)s < COALESCE(registration_closes_at, starts_at)
), counted AS (
    UPDATE {event_table} AS e
    SET {taken} = e.{taken} + (d.status = 'confirmed')::int,
        {waiting} = e.{waiting} + (d.status = 'waitlisted')::int
    FROM decision AS d WHERE e.id = d.id
    RETURNING e.id
), registration AS (
    INSERT INTO {q(Registration._meta.db_table)}
        ({_column(Registration, "event")}, {_column(Registration, "status")},
         {_column(Registration, "created_at")}, {_column(Registration, "confirmed_at")}, {columns})
    SELECT d.id, d.status, d.at, CASE WHEN d.status = 'confirmed' THEN d.at END, {values}
    FROM decision AS d
    RETURNING id, status, created_at, attendance
), audit AS (
    INSERT INTO {q(audit.db_table)} ({audit_columns})
    SELECT r.created_at, %(actor_id)s, 'registration.create', %(object_type)s, r.id::text,
           %(object_repr)s, NULL,
           jsonb_build_object('status', r.status, 'attendance', r.attendance)
    FROM registration AS r
)
SELECT r.id, r.status, r.created_at, d.waiting
FROM registration AS r CROSS JOIN decision AS d
"""  # noqa: S608
    return sql, fields


def available() -> bool:
    return connection.vendor == "postgresql"


def register(
    *, event: Event, registration: Registration, now: dt.datetime, repr_text: str
) -> Decision | None:
    """Run the statement for an unsaved ``registration``; None when registration is closed.

    Raises IntegrityError when the email is already registered for the event.
    """
    sql, fields = _statement(registration.attendance)
    params: dict[str, Any] = {}
    for field in fields:
        params[field.name] = field.get_db_prep_save(
            getattr(registration, field.attname), connection
        )
    params.update(
        event_id=event.pk,
        published=EventStatus.PUBLISHED.value,
        now=now,
        actor_id=registration.user_id,
        object_type=Registration._meta.label_lower,
        object_repr=repr_text[:250],
    )
    if connection.in_atomic_block:
        # Inside someone else's transaction: a savepoint keeps a failed insert local.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    else:
        # Autocommit: the statement is the whole transaction, the lock lasts no longer.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    if row is None:
        return None
    return Decision(int(row[0]), str(row[1]), row[2], int(row[3]))
