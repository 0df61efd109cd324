"""Every write of the network app: typed, keyword-only, atomic and audited.

Bad input is refused with ``django.core.exceptions.ValidationError`` carrying a
message a person can act on; pages show it beside the form, the API answers 422.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cityexchange.core.models import Organisation
from cityexchange.core.services import audit_record, snapshot
from cityexchange.network.models import (
    MAX_DIGITS,
    STATUS_ORDER,
    ActionItem,
    Activity,
    AgendaItem,
    Allocation,
    Body,
    BudgetLine,
    Commitment,
    Currency,
    Meeting,
    NextStep,
    Partnership,
    PartnershipStatus,
    Payment,
    StatusChange,
)

MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - 2) - Decimal("0.01")
MAX_IMPORT_ROWS = 5000


def parse_amount(raw: Any) -> Decimal:
    """A positive amount with at most two decimals, from text or a number; never a float."""
    if isinstance(raw, float):
        raw = repr(raw)  # a spreadsheet cell: its shortest exact spelling, not binary noise
    text = str(raw if raw is not None else "").strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        # 1.234,56 (German) or 1,234.56 (English): the later mark is the decimal one.
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    elif "," in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("“%(value)s” is not an amount.") % {"value": str(raw)[:40]}
        ) from None
    if not amount.is_finite():
        raise ValidationError(_("“%(value)s” is not an amount.") % {"value": str(raw)[:40]})
    if amount <= 0:
        raise ValidationError(_("The amount must be above zero."))
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("The amount must be below one trillion, with at most two decimals.")
        )
    return amount.quantize(Decimal("0.01"))


# --- partnerships -------------------------------------------------------------------


def partnership_create(
    *,
    actor: Any,
    slug: str,
    title: str,
    kind: str,
    organisations: Iterable[Organisation],
    counterpart_countries: list[str] | None = None,
    topics: Iterable[Any] = (),
    funding_options: Iterable[Any] = (),
    started_on: dt.date | None = None,
    is_public: bool = False,
    public_description: str = "",
    notes: str = "",
) -> Partnership:
    organisations = list(organisations)
    countries = [c.upper() for c in counterpart_countries or []]
    if len(organisations) + len(countries) < 2:
        raise ValidationError(_("A partnership needs at least two parties."))
    if is_public and not public_description.strip():
        raise ValidationError(_("A public partnership needs a short public description."))
    if Partnership.objects.filter(slug=slug).exists():
        raise ValidationError(_("This short address is already taken."))
    with transaction.atomic():
        partnership = Partnership.objects.create(
            slug=slug,
            title=title,
            kind=kind,
            status=PartnershipStatus.CONTACT,
            counterpart_countries=countries,
            is_public=is_public,
            public_description=public_description,
            notes=notes,
        )
        partnership.organisations.set(organisations)
        partnership.topics.set(list(topics))
        partnership.funding_options.set([o for o in funding_options if o.kind == "funding"])
        StatusChange.objects.create(
            partnership=partnership,
            status=PartnershipStatus.CONTACT,
            on=started_on,
            recorded_by=_user(actor),
        )
        audit_record(
            actor=actor, action="partnership_create", obj=partnership, after=snapshot(partnership)
        )
    return partnership


def tandem_start(
    *,
    actor: Any,
    municipality: Organisation,
    partner: Organisation,
    topics: Iterable[Any] = (),
) -> Partnership:
    """Start a city tandem from a matching suggestion: two municipalities, status contact,
    with the topics the suggestion found they share."""
    from django.utils.text import slugify

    from cityexchange.network.models import PartnershipKind

    if municipality.pk == partner.pk:
        raise ValidationError(_("A partnership needs at least two parties."))
    base = slugify(f"tandem-{municipality.slug}-{partner.slug}")[:72]
    slug, n = base, 1
    while Partnership.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return partnership_create(
        actor=actor,
        slug=slug,
        title=f"{municipality.name} – {partner.name}",
        kind=PartnershipKind.CITY_TANDEM,
        organisations=[municipality, partner],
        topics=topics,
        started_on=timezone.localdate(),
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def partnership_move(
    *, actor: Any, partnership: Partnership, status: str, on: dt.date, note: str = ""
) -> StatusChange:
    """Move a partnership through the pipeline: forward only, or to "ended"; dates in order."""
    if status not in STATUS_ORDER:
        raise ValidationError(_("Unknown status."))
    if on > timezone.localdate():
        raise ValidationError(_("The date of a status change cannot be in the future."))
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        current = STATUS_ORDER.index(locked.status)
        wanted = STATUS_ORDER.index(status)
        if locked.status == PartnershipStatus.ENDED:
            raise ValidationError(_("This partnership has ended; start a new one instead."))
        if wanted <= current:
            raise ValidationError(_("A partnership moves forward in the pipeline, or ends."))
        last = (
            locked.status_changes.exclude(on=None)
            .order_by("-on")
            .values_list("on", flat=True)
            .first()
        )
        if last is not None and on < last:
            raise ValidationError(
                _(
                    "The date is before the previous status change (%(date)s): dates must be in order."
                )
                % {"date": last.isoformat()}
            )
        before = snapshot(locked, ["status"])
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        change = StatusChange.objects.create(
            partnership=locked, status=status, on=on, note=note, recorded_by=_user(actor)
        )
        audit_record(
            actor=actor,
            action="partnership_move",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status"]),
        )
    partnership.status = status
    return change


def partnership_publish(
    *, actor: Any, partnership: Partnership, is_public: bool, public_description: str
) -> Partnership:
    if is_public and not public_description.strip():
        raise ValidationError(_("A public partnership needs a short public description."))
    if len(public_description) > 600:
        raise ValidationError(_("The public description must be at most 600 characters."))
    from cityexchange.core.services import audited_update

    with transaction.atomic():
        audited_update(
            partnership,
            actor=actor,
            action="partnership_publish",
            is_public=is_public,
            public_description=public_description,
        )
    return partnership


def partnership_set_topics(
    *,
    actor: Any,
    partnership: Partnership,
    topics: Iterable[Any],
    funding_options: Iterable[Any],
) -> Partnership:
    """Set what a partnership works on and the funding options it considers.

    Only directory offers of kind funding can be funding options; anything else is
    refused rather than dropped, so the person sees why their choice did not stick.
    """
    topics = list(topics)
    funding_options = list(funding_options)
    if any(o.kind != "funding" for o in funding_options):
        raise ValidationError(_("Only offers of the kind funding can be funding options."))
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        before = {
            "topics": sorted(locked.topics.values_list("pk", flat=True)),
            "funding_options": sorted(locked.funding_options.values_list("pk", flat=True)),
        }
        after = {
            "topics": sorted(t.pk for t in topics),
            "funding_options": sorted(o.pk for o in funding_options),
        }
        if before != after:
            locked.topics.set(topics)
            locked.funding_options.set(funding_options)
            locked.save(update_fields=["updated_at"])
            audit_record(
                actor=actor,
                action="partnership_set_topics",
                obj=locked,
                before=before,
                after=after,
            )
    return partnership


@dataclass
class StepInput:
    description: str
    due_on: dt.date
    owner: Any = None


def activity_log(
    *,
    actor: Any,
    partnership: Partnership,
    kind: str,
    on: dt.date,
    participants: str = "",
    notes: str = "",
    next_steps: list[StepInput] | None = None,
) -> Activity:
    """Log a contact and its next steps; a step cannot fall due before the contact."""
    if on > timezone.localdate():
        raise ValidationError(_("An activity cannot be logged for a future date."))
    for step in next_steps or []:
        if step.due_on < on:
            raise ValidationError(
                _(
                    "A next step cannot fall due before the activity it follows: dates must be in order."
                )
            )
        if not step.description.strip():
            raise ValidationError(_("Describe the next step."))
    with transaction.atomic():
        activity = Activity.objects.create(
            partnership=partnership,
            kind=kind,
            on=on,
            participants=participants,
            notes=notes,
            created_by=_user(actor),
        )
        for step in next_steps or []:
            NextStep.objects.create(
                partnership=partnership,
                activity=activity,
                description=step.description.strip(),
                due_on=step.due_on,
                owner=step.owner,
            )
        audit_record(actor=actor, action="activity_log", obj=activity, after=snapshot(activity))
    return activity


def next_step_done(*, actor: Any, step: NextStep) -> NextStep:
    with transaction.atomic():
        updated = NextStep.objects.filter(pk=step.pk, done_at=None).update(done_at=timezone.now())
        if updated:
            step.refresh_from_db()
            audit_record(
                actor=actor,
                action="next_step_done",
                obj=step,
                after={"done_at": step.done_at.isoformat() if step.done_at else None},
            )
    return step


def next_steps_remind_due(*, today: dt.date | None = None) -> int:
    """Mail each owner about their open steps due today or earlier, once per due date.

    The conditional update claims a step before its mail is queued, so two runs at the
    same time (or a run repeated after a crash) cannot send the same reminder twice.
    """
    from cityexchange.network import mails

    today = today or timezone.localdate()
    sent = 0
    candidates = (
        NextStep.objects.filter(done_at=None, due_on__lte=today, owner__isnull=False)
        .exclude(reminded_for=F("due_on"))
        .select_related("owner", "partnership")
    )
    for step in candidates:
        with transaction.atomic():
            claimed = (
                NextStep.objects.filter(pk=step.pk, done_at=None)
                .exclude(reminded_for=step.due_on)
                .update(reminded_for=step.due_on)
            )
            if claimed:
                mails.queue_next_step_reminder(step)
                sent += 1
    return sent


# --- bodies and meetings -------------------------------------------------------------


@dataclass
class ActionInput:
    description: str
    due_on: dt.date | None = None
    owner: Any = None


def meeting_record(
    *,
    actor: Any,
    body: Body,
    held_on: dt.date,
    number: int | None = None,
    network_on_agenda: bool | None = None,
    agenda: list[str] | None = None,
    decisions: str = "",
    actions: list[ActionInput] | None = None,
) -> Meeting:
    if Meeting.objects.filter(body=body, held_on=held_on).exists():
        raise ValidationError(_("This body already has a meeting on that day."))
    if number is not None:
        neighbours = Meeting.objects.filter(body=body, number__isnull=False)
        if neighbours.filter(number=number).exists():
            raise ValidationError(_("A meeting with this number exists already."))
        if (
            neighbours.filter(number__lt=number, held_on__gt=held_on).exists()
            or neighbours.filter(number__gt=number, held_on__lt=held_on).exists()
        ):
            raise ValidationError(
                _("The number and the date are out of order with the other meetings.")
            )
    for action in actions or []:
        if action.due_on is not None and action.due_on < held_on:
            raise ValidationError(
                _("An action item cannot fall due before its meeting: dates must be in order.")
            )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body,
            held_on=held_on,
            number=number,
            network_on_agenda=network_on_agenda,
            decisions=decisions,
        )
        for position, title in enumerate(t for t in agenda or [] if t.strip()):
            AgendaItem.objects.create(meeting=meeting, position=position, title=title.strip())
        for action in actions or []:
            ActionItem.objects.create(
                meeting=meeting,
                description=action.description,
                due_on=action.due_on,
                owner=action.owner,
            )
        audit_record(actor=actor, action="meeting_record", obj=meeting, after=snapshot(meeting))
    return meeting


# --- budget --------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not 1990 <= year <= 2100:
        raise ValidationError(_("The year must be between 1990 and 2100."))


def allocation_set(
    *,
    actor: Any,
    line: BudgetLine,
    year: int,
    amount: Decimal,
    programme: Organisation | None = None,
    currency: str = Currency.EUR,
) -> Allocation:
    _check_year(year)
    amount = parse_amount(amount)
    with transaction.atomic():
        allocation, created = Allocation.objects.select_for_update().get_or_create(
            line=line,
            year=year,
            programme=programme,
            defaults={"amount": amount, "currency": currency},
        )
        if created:
            audit_record(
                actor=actor, action="allocation_set", obj=allocation, after=snapshot(allocation)
            )
        else:
            before = snapshot(allocation, ["amount"])
            allocation.amount = amount
            allocation.save(update_fields=["amount"])
            audit_record(
                actor=actor,
                action="allocation_set",
                obj=allocation,
                before=before,
                after=snapshot(allocation, ["amount"]),
            )
    return allocation


def _payment_values(
    *, year: int, paid_on: dt.date | None, amount: Any, currency: str
) -> tuple[Decimal, str]:
    _check_year(year)
    if paid_on is not None and paid_on.year != year:
        raise ValidationError(_("The payment date must fall in the budget year."))
    if currency not in Currency.values:
        raise ValidationError(
            _("Unknown currency: use %(allowed)s.") % {"allowed": ", ".join(Currency.values)}
        )
    return parse_amount(amount), currency


def payment_create(
    *,
    actor: Any,
    line: BudgetLine,
    year: int,
    amount: Any,
    paid_on: dt.date | None = None,
    programme: Organisation | None = None,
    currency: str = Currency.EUR,
    reference: str = "",
) -> Payment:
    value, currency = _payment_values(year=year, paid_on=paid_on, amount=amount, currency=currency)
    with transaction.atomic():
        payment = Payment.objects.create(
            line=line,
            year=year,
            paid_on=paid_on,
            programme=programme,
            amount=value,
            currency=currency,
            reference=reference,
        )
        audit_record(actor=actor, action="payment_create", obj=payment, after=snapshot(payment))
    return payment


def commitment_create(
    *,
    actor: Any,
    line: BudgetLine,
    year: int,
    amount: Any,
    committed_on: dt.date | None = None,
    programme: Organisation | None = None,
    reference: str = "",
) -> Commitment:
    value, currency = _payment_values(
        year=year, paid_on=committed_on, amount=amount, currency=Currency.EUR
    )
    with transaction.atomic():
        commitment = Commitment.objects.create(
            line=line,
            year=year,
            committed_on=committed_on,
            programme=programme,
            amount=value,
            currency=currency,
            reference=reference,
        )
        audit_record(
            actor=actor, action="commitment_create", obj=commitment, after=snapshot(commitment)
        )
    return commitment


def payment_correct(*, actor: Any, payment: Payment, amount: Any) -> Payment:
    from cityexchange.core.services import audited_update

    value = parse_amount(amount)
    with transaction.atomic():
        audited_update(payment, actor=actor, action="payment_correct", amount=value)
    return payment


@dataclass
class ImportResult:
    saved: int = 0  # payments
    commitments: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


IMPORT_COLUMNS = ("line", "year", "date", "programme", "amount", "currency", "reference")


def _rows_from_file(name: str, content: bytes) -> list[list[Any]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise ValidationError(_("The file is not a readable XLSX workbook.")) from exc
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The CSV file must be UTF-8 encoded.")) from exc
    dialect: type[csv.Dialect] = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        pass
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def payments_import(*, actor: Any, filename: str, content: bytes) -> ImportResult:
    """Import payments and commitments from CSV or XLSX: all rows are saved, or none and
    every error is named.

    Columns (header row): line (``chapter/title``), year, date (YYYY-MM-DD, may be empty),
    programme (organisation short address, may be empty), amount, currency, reference,
    and optionally kind (``payment``, the default, or ``commitment``).
    """
    rows = _rows_from_file(filename, content)
    result = ImportResult()
    if not rows:
        result.errors.append((0, _("The file is empty.")))
        return result
    header = [str(c or "").strip().lower() for c in rows[0]]
    missing = [c for c in ("line", "year", "amount") if c not in header]
    if missing:
        result.errors.append(
            (1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return result
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        result.errors.append((0, _("At most %(n)d rows per file.") % {"n": MAX_IMPORT_ROWS}))
        return result
    lines = {f"{line.chapter}/{line.title_code}": line for line in BudgetLine.objects.all()}
    programmes = {o.slug: o for o in Organisation.objects.filter(kind="network")}
    prepared: list[Payment] = []
    commitments: list[Commitment] = []
    for number, raw in enumerate(rows[1:], start=2):
        cells = {name: raw[i] if i < len(raw) else None for i, name in enumerate(header)}
        if all(v in (None, "") for v in cells.values()):
            continue
        try:
            line_key = str(cells.get("line") or "").strip()
            line = lines.get(line_key)
            if line is None:
                raise ValidationError(
                    _("Unknown budget line “%(line)s”.") % {"line": line_key[:40]}
                )
            try:
                year = int(str(cells.get("year") or "").strip())
            except ValueError:
                raise ValidationError(_("The year must be a whole number.")) from None
            paid_on = _parse_date(cells.get("date"))
            programme_slug = str(cells.get("programme") or "").strip()
            programme = None
            if programme_slug:
                programme = programmes.get(programme_slug)
                if programme is None:
                    raise ValidationError(
                        _("Unknown programme “%(slug)s”.") % {"slug": programme_slug[:40]}
                    )
            kind = str(cells.get("kind") or "payment").strip().lower()
            if kind not in ("payment", "commitment"):
                raise ValidationError(
                    _("Unknown kind “%(kind)s”: payment or commitment.") % {"kind": kind[:40]}
                )
            currency = str(cells.get("currency") or Currency.EUR).strip().upper()
            amount, currency = _payment_values(
                year=year, paid_on=paid_on, amount=cells.get("amount"), currency=currency
            )
            if kind == "commitment":
                commitments.append(
                    Commitment(
                        line=line,
                        year=year,
                        committed_on=paid_on,
                        programme=programme,
                        amount=amount,
                        currency=currency,
                        reference=str(cells.get("reference") or "").strip()[:100],
                    )
                )
                continue
            prepared.append(
                Payment(
                    line=line,
                    year=year,
                    paid_on=paid_on,
                    programme=programme,
                    amount=amount,
                    currency=currency,
                    reference=str(cells.get("reference") or "").strip()[:100],
                    source=filename[:300],
                )
            )
        except ValidationError as exc:
            result.errors.append((number, " ".join(exc.messages)))
    if result.errors:
        return result
    with transaction.atomic():
        saved = Payment.objects.bulk_create(prepared)
        for payment in saved:
            audit_record(actor=actor, action="payment_import", obj=payment, after=snapshot(payment))
        committed = Commitment.objects.bulk_create(commitments)
        for commitment in committed:
            audit_record(
                actor=actor,
                action="commitment_import",
                obj=commitment,
                after=snapshot(commitment),
            )
    result.saved = len(saved)
    result.commitments = len(committed)
    return result


def _parse_date(raw: Any) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d.%m.%Y").date()):  # noqa: DTZ007 - a calendar day
        try:
            return parse(text)
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"value": text[:20]}
    )


# --- personal data -------------------------------------------------------------------


def personal_data_of(*, user: Any) -> list[dict[str, Any]]:
    """The next steps and action items an account owns, for the account's data export."""
    steps = [
        {
            "kind": "next_step",
            "description": s.description,
            "due_on": s.due_on.isoformat(),
            "partnership": s.partnership.title,
        }
        for s in NextStep.objects.filter(owner=user).select_related("partnership")
    ]
    actions = [
        {
            "kind": "action_item",
            "description": a.description,
            "due_on": a.due_on.isoformat() if a.due_on else None,
        }
        for a in ActionItem.objects.filter(owner=user)
    ]
    return steps + actions


def personal_data_erase(*, user: Any) -> None:
    """An erased account no longer owns steps; the steps stay for the team to reassign."""
    with transaction.atomic():
        NextStep.objects.filter(owner=user).update(owner=None)
        ActionItem.objects.filter(owner=user).update(owner=None)
