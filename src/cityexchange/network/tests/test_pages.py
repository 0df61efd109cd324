"""Pages of the network app: public members, staff-only operations, bad input refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.network.models import Partnership, Payment, StatusChange

STAFF_PAGES = [
    ("network:dashboard", {}),
    ("network:report", {}),
    ("network:partnerships", {}),
    ("network:partnership", {"slug": "iscn-oasc"}),
    ("network:meetings", {}),
    ("network:budget", {}),
]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_members_page_lists_countries_and_counts(network_data: Any, client: Client) -> None:
    response = client.get(reverse("network:home"), HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    for name in ("Brazil", "Germany", "India", "Mexico", "Peru"):
        assert name in text
    assert "5 member countries and 1 member organisations." in text


def test_the_public_partnerships_page_shows_only_public_ones(
    network_data: Any, client: Client
) -> None:
    Partnership.objects.filter(slug="iscn-eurocities").update(is_public=False)
    text = client.get(reverse("network:public_partnerships")).content.decode()
    assert "Open &amp; Agile Smart Cities" in text
    assert "Eurocities" not in text
    assert "counterparts in Japan" in text


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_are_404_to_outsiders(
    network_data: Any, client: Client, outsider: Any, member: Any, name: str, kwargs: dict[str, str]
) -> None:
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 404
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(member).get(url).status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_open_for_staff(
    network_data: Any, staff: Any, name: str, kwargs: dict[str, str]
) -> None:
    assert signed_in(staff).get(reverse(name, kwargs=kwargs)).status_code == 200


def test_the_report_page_shows_the_counts_and_downloads(network_data: Any, staff: Any) -> None:
    client = signed_in(staff)
    url = reverse("network:report")
    text = client.get(
        url, {"start": "2021-01-01", "end": "2024-04-30"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "13 × ISCN Global Mixer" in text
    response = client.get(url, {"start": "2021-01-01", "end": "2024-04-30", "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    response = client.get(
        url, {"start": "2024-01-01", "end": "2023-01-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "dates must be in order" in response.content.decode()


def test_a_status_change_dated_before_the_last_one_is_refused(
    network_data: Any, staff: Any
) -> None:
    partnership = Partnership.objects.get(slug="bilateral-japan")
    client = signed_in(staff)
    url = reverse("network:partnership", kwargs={"slug": partnership.slug})
    ok = client.post(url, {"action": "move", "status": "initiation", "on": "2025-03-01"})
    assert ok.status_code == 302
    refused = client.post(
        url, {"action": "move", "status": "agreed", "on": "2025-02-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert "dates must be in order" in refused.content.decode()
    partnership.refresh_from_db()
    assert partnership.status == "initiation"
    assert StatusChange.objects.filter(partnership=partnership).count() == 2


def test_an_activity_with_a_next_step_is_logged(network_data: Any, staff: Any) -> None:
    partnership = Partnership.objects.get(slug="iscn-oasc")
    client = signed_in(staff)
    url = reverse("network:partnership", kwargs={"slug": partnership.slug})
    response = client.post(
        url,
        {
            "action": "activity",
            "kind": "call",
            "on": "2025-01-10",
            "notes": "kick-off",
            "step": "Send minutes",
            "step_due": "2025-01-17",
        },
    )
    assert response.status_code == 302
    step = partnership.next_steps.get()
    assert step.owner == staff and step.due_on == dt.date(2025, 1, 17)
    early = client.post(
        url,
        {
            "action": "activity",
            "kind": "call",
            "on": "2025-01-10",
            "step": "x",
            "step_due": "2025-01-01",
        },
    )
    assert early.status_code == 400
    assert partnership.activities.count() == 1


def test_a_negative_or_non_numeric_payment_is_refused(network_data: Any, staff: Any) -> None:
    client = signed_in(staff)
    payment = Payment.objects.first()
    assert payment is not None
    line = payment.line
    before = Payment.objects.count()
    for amount in ("-5", "abc", "1e400", "12.345"):
        response = client.post(
            reverse("network:budget"),
            {"action": "payment", "line": line.pk, "year": 2024, "amount": amount},
        )
        assert response.status_code == 400, amount
    assert Payment.objects.count() == before
    response = client.post(
        reverse("network:budget"),
        {
            "action": "payment",
            "line": line.pk,
            "year": 2024,
            "paid_on": "2024-03-01",
            "amount": "1.234,50",
        },
    )
    assert response.status_code == 302
    assert Payment.objects.get(year=2024).amount == 123450 / 100


def test_an_import_with_one_bad_row_saves_nothing(network_data: Any, staff: Any) -> None:
    client = signed_in(staff)
    before = Payment.objects.count()
    content = (
        b"line,year,date,programme,amount,currency,reference\n"
        b"25 02/532 05,2024,2024-02-01,iscn,1000.00,EUR,A1\n"
        b"25 02/532 05,2024,2023-12-01,iscn,-3,EUR,A2\n"
    )
    upload = SimpleUploadedFile("payments.csv", content, content_type="text/csv")
    response = client.post(
        reverse("network:budget"), {"action": "import", "file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Row 3" in text
    assert Payment.objects.count() == before
    good = SimpleUploadedFile(
        "payments.csv", content.split(b"\n25 02/532 05,2024,2023")[0], content_type="text/csv"
    )
    assert (
        client.post(reverse("network:budget"), {"action": "import", "file": good}).status_code
        == 302
    )
    assert Payment.objects.count() == before + 1


def test_an_xlsx_import_is_read(network_data: Any, staff: Any) -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["line", "year", "date", "programme", "amount"])
    sheet.append(["25 02/532 05", 2024, dt.date(2024, 3, 5), "vernetzt-in-europa", 2500.5])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("p.xlsx", buffer.getvalue())
    response = signed_in(staff).post(
        reverse("network:budget"), {"action": "import", "file": upload}
    )
    assert response.status_code == 302
    assert str(Payment.objects.get(year=2024).amount) == "2500.50"


def test_a_meeting_out_of_order_is_refused(network_data: Any, staff: Any) -> None:
    from cityexchange.network.models import Body, Meeting

    body = Body.objects.get(slug="steering-group")
    client = signed_in(staff)
    response = client.post(
        reverse("network:meetings"),
        {"body": body.pk, "held_on": "2022-01-01", "number": 9, "network_on_agenda": "unknown"},
    )
    assert response.status_code == 400
    assert Meeting.objects.filter(body=body).count() == 7
    response = client.post(
        reverse("network:meetings"),
        {
            "body": body.pk,
            "held_on": "2024-07-01",
            "number": 9,
            "network_on_agenda": "true",
            "agenda": "ISCN\nOther",
            "action": "Prepare symposium",
            "action_due": "2024-08-01",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(body=body, number=9)
    assert meeting.network_on_agenda is True and meeting.agenda_items.count() == 2


def test_staff_create_a_partnership_with_funding_options(network_data: Any, staff: Any) -> None:
    from cityexchange.core.models import Organisation
    from cityexchange.directory.models import Offer

    funding = Offer.objects.create(
        slug="test-funding", kind="funding", name_en="Test funding", format="online", effort="low"
    )
    tool = Offer.objects.create(
        slug="test-tool", kind="tool", name_en="Tool", format="online", effort="low"
    )
    iscn = Organisation.objects.get(slug="iscn")
    client = signed_in(staff)
    url = reverse("network:partnerships")
    alone = client.post(
        url, {"slug": "alone", "title": "Alone", "kind": "city_network", "organisations": [iscn.pk]}
    )
    assert alone.status_code == 200 and not Partnership.objects.filter(slug="alone").exists()
    not_funding = client.post(
        url,
        {
            "slug": "x",
            "title": "X",
            "kind": "bilateral",
            "organisations": [iscn.pk],
            "counterpart_countries": ["JP"],
            "funding_options": [tool.pk],
        },
    )
    assert not_funding.status_code == 200  # a tool is not a funding option
    response = client.post(
        url,
        {
            "slug": "iscn-japan",
            "title": "ISCN – Japan",
            "kind": "bilateral",
            "organisations": [iscn.pk],
            "counterpart_countries": ["JP"],
            "funding_options": [funding.pk],
        },
    )
    assert response.status_code == 302
    created = Partnership.objects.get(slug="iscn-japan")
    assert created.counterpart_countries == ["JP"]
    assert list(created.funding_options.all()) == [funding]
    assert created.status_changes.get().status == "contact"


def test_an_unknown_partnership_is_404_even_for_staff(network_data: Any, staff: Any) -> None:
    assert (
        signed_in(staff).get(reverse("network:partnership", kwargs={"slug": "nope"})).status_code
        == 404
    )


def test_the_budget_page_shows_utilisation_change_and_forecast(
    network_data: Any, staff: Any
) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from cityexchange.network.models import Allocation, BudgetLine
    from cityexchange.network.selectors import budget_years, forecast_year_end

    line = BudgetLine.objects.get()
    today = timezone.localdate()
    Allocation.objects.create(line=line, year=today.year - 1, amount=Decimal("1000000.00"))
    Allocation.objects.create(line=line, year=today.year, amount=Decimal("778000.00"))
    client = signed_in(staff)
    response = client.post(
        reverse("network:budget"),
        {
            "action": "payment",
            "line": line.pk,
            "year": today.year,
            "paid_on": dt.date(today.year, 1, 1).isoformat(),
            "amount": "77800",
        },
    )
    assert response.status_code == 302
    assert (
        client.post(
            reverse("network:budget"),
            {"action": "commitment", "line": line.pk, "year": today.year, "amount": "5000"},
        ).status_code
        == 302
    )
    (row,) = [r for r in budget_years(years=[today.year], today=today)]
    assert row.utilisation == Decimal("10.0")
    assert row.change == Decimal("-22.2")
    assert row.committed == Decimal("5000.00")
    assert row.forecast == forecast_year_end(paid=Decimal("77800.00"), today=today)
    text = client.get(reverse("network:budget")).content.decode()
    assert "-22.2 %" in text or "-22,2 %" in text


def test_the_pace_forecast_extrapolates_the_months_gone() -> None:
    from decimal import Decimal

    from cityexchange.network.selectors import forecast_year_end, pace_needed

    # Seven months gone by the end of July: 70,000 paid at that pace makes 120,000 by year-end.
    assert forecast_year_end(paid=Decimal("70000"), today=dt.date(2024, 7, 31)) == Decimal(
        "120000.00"
    )
    assert forecast_year_end(paid=Decimal("0"), today=dt.date(2024, 6, 15)) == Decimal("0.00")
    assert pace_needed(today=dt.date(2023, 12, 31)) == Decimal("100.0")
    assert pace_needed(today=dt.date(2023, 1, 1)) == Decimal("0.3")


def test_a_next_step_can_be_given_to_another_staff_member(network_data: Any, staff: Any) -> None:
    from cityexchange.core.roles import Role
    from cityexchange.core.tests.factories import UserFactory

    colleague = UserFactory(roles=[Role.NETWORK_STAFF])
    partnership = Partnership.objects.get(slug="iscn-oasc")
    response = signed_in(staff).post(
        reverse("network:partnership", kwargs={"slug": partnership.slug}),
        {
            "action": "activity",
            "kind": "visit",
            "on": "2025-01-10",
            "step": "Book rooms",
            "step_due": "2025-02-01",
            "step_owner": colleague.pk,
        },
    )
    assert response.status_code == 302
    assert partnership.next_steps.get().owner == colleague


def test_commitments_are_imported_beside_payments_all_or_nothing(
    network_data: Any, staff: Any
) -> None:
    from cityexchange.core.models import AuditEntry
    from cityexchange.network.models import Commitment

    client = signed_in(staff)
    payments, commitments = Payment.objects.count(), Commitment.objects.count()
    header = b"line,year,date,programme,amount,currency,reference,kind\n"
    good = (
        b"25 02/532 05,2024,2024-02-01,iscn,1000.00,EUR,P1,payment\n"
        b'25 02/532 05,2024,2024-01-15,iscn,"250.000,00",EUR,C1,commitment\n'
    )
    bad = good + b"25 02/532 05,2024,2024-01-16,iscn,10,EUR,X,promise\n"
    with translation.override("de"):
        url = reverse("network:budget")
    response = client.post(
        url, {"action": "import", "file": SimpleUploadedFile("b.csv", header + bad)}
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Zeile 4" in text and "Unbekannte Art „promise“" in text
    assert (Payment.objects.count(), Commitment.objects.count()) == (payments, commitments)

    response = client.post(
        url, {"action": "import", "file": SimpleUploadedFile("b.csv", header + good)}, follow=True
    )
    assert "Importiert: 1 Zahlungen, 1 Bindungen." in response.content.decode()
    commitment = Commitment.objects.get(reference="C1")
    assert str(commitment.amount) == "250000.00" and commitment.committed_on == dt.date(2024, 1, 15)
    assert Payment.objects.count() == payments + 1
    assert AuditEntry.objects.filter(action="commitment_import").count() == 1


HUGE = "9" * 30


@pytest.mark.parametrize(
    "name,data",
    [
        ("network:partnerships", {"organisations": [HUGE]}),
        ("network:partnerships", {"topics": [HUGE]}),
        ("network:partnerships", {"funding_options": ["-5", HUGE]}),
        ("network:budget", {"action": "payment", "line": HUGE, "year": 2024, "amount": "1"}),
        ("network:meetings", {"body": "1", "held_on": "2024-01-01", "action_owner": HUGE}),
    ],
)
def test_ids_beyond_any_database_range_are_form_errors(
    network_data: Any, staff: Any, name: str, data: Any
) -> None:
    base = {"slug": "x", "title": "X", "kind": "bilateral"} if "partnerships" in name else {}
    response = signed_in(staff).post(reverse(name), {**base, **data}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (200, 400)
    assert "valid" in response.content.decode()  # Django's “… is not a valid …” beside the field
    assert not Partnership.objects.filter(slug="x").exists()
