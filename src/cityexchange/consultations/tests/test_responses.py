"""Staff tag and answer comments, publish the response report, commenters are told
in their language; exports for staff; XSS payloads stay text everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.consultations import services
from cityexchange.consultations.models import Response
from cityexchange.consultations.tests.conftest import paragraph
from cityexchange.core.models import AuditEntry

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> =HYPERLINK("http://evil")'


def _close(consultation: Any) -> None:
    consultation.closes_at = timezone.now() - dt.timedelta(minutes=5)
    consultation.save(update_fields=["closes_at"])


def test_staff_tag_a_comment_and_publish_the_report_and_the_commenter_is_told_in_spanish(
    client: Any,
    consultation: Any,
    comment: Any,
    staff: Any,
    author: Any,
    member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(staff)
    answer = client.post(
        f"/en/consultations/{consultation.slug}/comments/{comment.pk}/respond/",
        {f"c{comment.pk}-tag": "partly", f"c{comment.pk}-text": "We name the council."},
    )
    assert answer.status_code == 302
    assert Response.objects.get(comment=comment).tag == "partly"
    client.force_login(member)
    assert client.get(f"/en/consultations/{consultation.slug}/report/").status_code == 404
    client.force_login(staff)
    early = client.post(f"/en/consultations/{consultation.slug}/responses/publish/")
    assert early.status_code == 302
    consultation.refresh_from_db()
    assert consultation.response_published_at is None  # still open
    _close(consultation)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/consultations/{consultation.slug}/responses/publish/",
            {"summary": "Thanks to all."},
        )
    consultation.refresh_from_db()
    assert consultation.response_published_at is not None
    assert [m.to for m in mail.outbox] == [[author.email]]
    assert "consideraron" in mail.outbox[0].subject  # Spanish
    client.force_login(author)
    report = client.get(f"/es/consultations/{consultation.slug}/report/").content.decode()
    assert "We name the council." in report and comment.text in report
    page = client.get(f"/en/consultations/{consultation.slug}/paragraphs/3/").content.decode()
    assert "How it was considered:" in page and "Partly accepted" in page
    assert AuditEntry.objects.filter(action="consultation.publish_report").count() == 1
    # Publishing again sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(consultation=consultation, actor=staff)
    assert mail.outbox == []


def test_an_unknown_tag_is_refused(consultation: Any, comment: Any, staff: Any) -> None:
    with pytest.raises(services.CommentRefused):
        services.response_save(comment=comment, actor=staff, tag="maybe", text="")
    assert not Response.objects.exists()


def test_csv_and_xlsx_exports_hold_tags_and_responses_and_neutralise_formulas(
    client: Any, consultation: Any, author: Any, staff: Any
) -> None:
    comment = services.comment_create(
        consultation=consultation, author=author, text=XSS, language="en"
    )
    services.response_save(comment=comment, actor=staff, tag="out_of_scope", text="=1+1")
    client.force_login(staff)
    answer = client.get(f"/en/consultations/{consultation.slug}/export.csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][13] == "Text" and rows[1][13] == XSS  # starts with "<": no formula
    assert rows[1][15] == "Out of scope" and rows[1][16] == "'=1+1"
    answer = client.get(f"/en/consultations/{consultation.slug}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=17).value == "'=1+1"
    assert sheet.cell(row=2, column=14).value == XSS


def test_xss_in_a_comment_is_text_on_every_page_the_api_and_the_mail(
    client: Any, consultation: Any, author: Any, member: Any, staff: Any
) -> None:
    comment = services.comment_create(
        consultation=consultation,
        author=author,
        text=XSS,
        language="en",
        target="paragraph",
        paragraph=paragraph(consultation, 1),
    )
    services.response_save(comment=comment, actor=staff, tag="accepted", text="<b>ok</b>")
    services.comment_flag(comment=comment, user=member, reason="<script>flag</script>")
    base = f"/en/consultations/{consultation.slug}/"
    client.force_login(staff)
    for page in [
        "paragraphs/1/",
        "comments/",
        "moderation/",
        "responses/",
        "report/",
        f"comments/{comment.pk}/reply/",
        f"comments/{comment.pk}/hide/",
    ]:
        body = client.get(base + page).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, page
        assert "&lt;script&gt;alert" in body, page
        assert "<script>flag" not in body and "<b>ok</b>" not in body, page
    admin = client.get(f"/en/admin/consultations/comment/{comment.pk}/change/")
    if admin.status_code == 200:
        assert "<script>alert" not in admin.content.decode()
    api = client.get(f"/api/v1/consultations/{consultation.slug}/comments")
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["items"][0]["text"] == XSS  # data, never HTML


def test_the_report_mail_is_plain_text(
    consultation: Any, author: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    consultation.title_en = "<b>Guidelines</b>"
    consultation.save()
    services.comment_create(consultation=consultation, author=author, text=XSS, language="en")
    _close(consultation)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(consultation=consultation, actor=staff)
    message = mail.outbox[0]
    assert not getattr(message, "alternatives", None)  # no HTML part that could run anything
    assert "<b>Guidelines</b>" in message.subject  # text as written, not markup rendered


def test_the_overview_is_a_table_with_filters(
    client: Any, consultation: Any, comment: Any, member: Any
) -> None:
    services.support_set(comment=comment, user=member, support=True)
    body = client.get(f"/en/consultations/{consultation.slug}/overview/").content.decode()
    assert "<table" in body and '<th scope="col">Comments</th>' in body
    assert 'class="heat-4">1</td><td>1</td>' in body
    filtered = client.get(
        f"/en/consultations/{consultation.slug}/overview/?language=de"
    ).content.decode()
    assert 'class="heat-4">1</td>' not in filtered
    by_country = client.get(
        f"/en/consultations/{consultation.slug}/overview/?country=PE"
    ).content.decode()
    assert 'class="heat-4">1</td>' in by_country
    bad = client.get(f"/en/consultations/{consultation.slug}/overview/?country=XX&kind=%00")
    assert bad.status_code in (200, 400)


def test_the_response_report_pdf_for_staff(
    client: Any, consultation: Any, comment: Any, staff: Any, member: Any
) -> None:
    services.response_save(comment=comment, actor=staff, tag="accepted", text="<b>Done</b>")
    client.force_login(member)
    assert client.get(f"/en/consultations/{consultation.slug}/export.pdf").status_code == 404
    client.force_login(staff)
    answer = client.get(f"/en/consultations/{consultation.slug}/export.pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert "Accepted" in text and "<b>Done</b>" in text
    assert client.get(f"/en/consultations/{consultation.slug}/export.doc").status_code == 404
