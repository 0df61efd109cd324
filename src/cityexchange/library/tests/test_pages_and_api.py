"""Pages and API of the library as visitors, members, outsiders and staff meet them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.core.models import AuditEntry, Concept
from cityexchange.library.digests import send_due_digests, unsubscribe_token
from cityexchange.library.models import Forwarding, Resource, Subscription
from cityexchange.library.services import attachment_add, subscription_save
from cityexchange.library.tests.conftest import CORPUS, make_resource

pytestmark = pytest.mark.django_db


def url(name: str, lang: str = "en", **kwargs: object) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def test_the_api_search_answers_in_the_contract_shape(client: Client, corpus: dict) -> None:
    response = client.get("/api/v1/library/search", {"q": "Wassermanagement"})
    assert response.status_code == 200
    data = response.json()
    first = data["items"][0]
    assert first["slug"] == "smart-water-tartu"
    assert set(first) >= {
        "id",
        "slug",
        "title",
        "kind",
        "languages",
        "summary",
        "snippet",
        "topics",
        "url",
        "matched",
    }
    assert data["count"] >= 1 and "kind" in data["facets"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "page": "abc"},
        {"q": "x", "year": "soon"},
        {"q": "x", "kind": "novel"},
        {"q": "x" * 3000},
    ],
)
def test_the_api_answers_malformed_input_with_a_4xx(client: Client, params: dict) -> None:
    response = client.get("/api/v1/library/search", params)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


@pytest.mark.parametrize("q", ['"', "NEAR(", "a OR", "-", ":", "'", "*"])
def test_the_api_never_fails_on_search_syntax(client: Client, corpus: dict, q: str) -> None:
    assert client.get("/api/v1/library/search", {"q": q}).status_code == 200


def test_members_only_resources_are_404_for_anonymous_but_shown_to_members(
    client: Client, corpus: dict, member: object
) -> None:
    path = "/api/v1/library/resources/members-heat-planning"
    assert client.get(path).status_code == 404
    assert client.get(url("library:resource", slug="members-heat-planning")).status_code == 404
    client.force_login(member)
    assert client.get(path).json()["slug"] == "members-heat-planning"
    assert client.get(url("library:resource", slug="members-heat-planning")).status_code == 200


def test_drafts_are_404_for_members_and_visible_to_staff(
    client: Client, thesaurus: None, member: object, staff: object
) -> None:
    make_resource({**CORPUS[0], "slug": "draft-one"}, status="draft")
    client.force_login(member)
    assert client.get(url("library:resource", slug="draft-one")).status_code == 404
    client.force_login(staff)
    assert client.get(url("library:resource", slug="draft-one")).status_code == 200


def test_attachments_of_members_only_resources_do_not_leak(
    client: Client, corpus: dict, member: object, outsider: object
) -> None:
    resource = corpus["members-heat-planning"]
    upload = SimpleUploadedFile("notes.txt", b"heat pump notes", content_type="text/plain")
    file = attachment_add(resource=resource, upload=upload, title="Notes", actor=None)
    path = url("library:attachment", slug=resource.slug, pk=file.pk)
    assert client.get(path).status_code == 404
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"heat pump notes"


def _pdf(text: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_text_of_an_uploaded_pdf_becomes_searchable(corpus: dict) -> None:
    from cityexchange.library.selectors import search_resources

    upload = SimpleUploadedFile(
        "a.pdf", _pdf("Photovoltaik on school roofs"), content_type="application/pdf"
    )
    attachment_add(resource=corpus["cyber-security-handbook"], upload=upload, title="A", actor=None)
    hits = search_resources(query="photovoltaik", language="en")
    assert [i.resource.slug for i in hits.items] == ["cyber-security-handbook"]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("fake.pdf", b"MZ not a pdf", "application/pdf"),
        ("run.exe", b"MZ....", "application/x-msdownload"),
        ("empty.txt", b"", "text/plain"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(
    corpus: dict, name: str, data: bytes, content_type: str
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        attachment_add(
            resource=corpus["smart-water-tartu"],
            upload=SimpleUploadedFile(name, data, content_type=content_type),
            title="x",
            actor=None,
        )
    assert not corpus["smart-water-tartu"].attachments.exists()


def test_too_large_attachments_are_refused(corpus: dict, settings: Any) -> None:
    from django.core.exceptions import ValidationError

    settings.CITYEXCHANGE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError):
        attachment_add(
            resource=corpus["smart-water-tartu"],
            upload=SimpleUploadedFile("a.txt", b"x" * 11, content_type="text/plain"),
            title="x",
            actor=None,
        )


def test_back_office_uploads_are_checked_like_every_other_upload(corpus: dict) -> None:
    from cityexchange.library.admin import AttachmentAdminForm, AttachmentInline
    from cityexchange.library.models import Attachment

    assert AttachmentInline.form is AttachmentAdminForm
    resource = corpus["smart-water-tartu"]
    fake = AttachmentAdminForm(
        data={"title": "Fake"},
        files={"file": SimpleUploadedFile("fake.pdf", b"MZ", content_type="application/pdf")},
        instance=Attachment(resource=resource),
    )
    assert not fake.is_valid()
    assert "does not match its type" in str(fake.errors["file"])
    good = AttachmentAdminForm(
        data={"title": "Notes"},
        files={
            "file": SimpleUploadedFile(
                "notes.txt", b"Photovoltaik notes", content_type="text/plain; charset=utf-8"
            )
        },
        instance=Attachment(resource=resource),
    )
    assert good.is_valid(), good.errors
    saved = good.save()
    assert (saved.content_type, saved.size) == ("text/plain", 18)
    assert "Photovoltaik" in saved.extracted_text


def test_search_page_with_facets_works_without_javascript(client: Client, corpus: dict) -> None:
    response = client.get(url("library:search"), {"q": "digital", "kind": "study"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Digital twins for municipalities" in html
    assert 'aria-current="true"' in html  # the chosen facet value is marked


def test_the_library_pages_speak_german(client: Client, corpus: dict) -> None:
    html = client.get(url("library:home", "de")).content.decode()
    assert "Wissensbibliothek" in html
    html = client.get(url("library:search", "de"), {"q": "water"}).content.decode()
    assert "Suchbegriffe, in einer der vier Sprachen" in html and "Warum es passt" in html


def test_the_resource_page_counts_views_and_shows_a_citation(client: Client, corpus: dict) -> None:
    path = url("library:resource", slug="smart-water-tartu")
    client.get(path)
    html = client.get(path).content.decode()
    assert "How to cite" in html and "(2024)" in html
    assert Resource.objects.get(slug="smart-water-tartu").view_count == 2


def test_resource_pages_cost_the_same_queries_with_more_topics(
    client: Client, corpus: dict, django_assert_max_num_queries: Any
) -> None:
    path = url("library:resource", slug="smart-water-tartu")
    client.get(path)
    with django_assert_max_num_queries(14):
        client.get(path)
    corpus["smart-water-tartu"].topics.add(*Concept.objects.all()[:30])
    with django_assert_max_num_queries(14):
        client.get(path)


def test_staff_forward_a_resource_and_the_municipality_members_are_told(
    client: Client,
    corpus: dict,
    staff: object,
    member: object,
    outsider: object,
    municipality,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("library:forward", slug="smart-water-tartu"),
            {"organisations": [municipality.pk], "note": "For your pilot"},
        )
    assert response.status_code == 302
    assert Forwarding.objects.filter(organisation=municipality).count() == 1
    assert [m.to for m in mail.outbox] == [["member@lindenau.example"]]
    assert AuditEntry.objects.filter(action="library.resource_forward").exists()
    client.force_login(member)
    assert "For your pilot" in client.get(url("library:forwarded")).content.decode()
    client.force_login(outsider)
    assert "For your pilot" not in client.get(url("library:forwarded")).content.decode()


def test_members_cannot_forward(client: Client, corpus: dict, member: object, municipality) -> None:
    client.force_login(member)
    response = client.post(
        url("library:forward", slug="smart-water-tartu"),
        {"organisations": [municipality.pk], "note": "x"},
    )
    assert response.status_code == 404
    assert not Forwarding.objects.exists()


def test_forwarding_without_a_municipality_shows_an_error(
    client: Client, corpus: dict, staff: object
) -> None:
    client.force_login(staff)
    response = client.post(url("library:forward", slug="smart-water-tartu"), {"note": "x"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not Forwarding.objects.exists()


def test_a_weekly_digest_arrives_in_the_subscribers_language_and_one_click_unsubscribes(
    client: Client, corpus: dict, member: object, django_capture_on_commit_callbacks
) -> None:
    water = Concept.objects.get(key="water-management")
    subscription = subscription_save(user=member, topics=[water], kinds=[], language="de")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_digests() == 1
    message = mail.outbox[-1]
    assert "Bibliothek" in message.subject
    assert "Sensor-based smart water management" in message.body or "Tartu" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert send_due_digests() == 0  # not due again within the week
    response = client.post(url("library:unsubscribe", token=unsubscribe_token(subscription)))
    assert response.status_code == 200
    assert not Subscription.objects.get(pk=subscription.pk).is_active


def test_a_forged_unsubscribe_token_is_404(client: Client) -> None:
    assert client.post(url("library:unsubscribe", token="nonsense")).status_code == 404


def test_the_subscription_form_needs_a_topic_or_kind(client: Client, member: object) -> None:
    client.force_login(member)
    response = client.post(url("library:subscription"), {"frequency": "weekly"})
    assert "error-summary" in response.content.decode()
    assert not Subscription.objects.exists()


def test_bulk_import_creates_good_rows_and_reports_rejected_ones(
    client: Client, thesaurus: None, staff: object, member: object
) -> None:
    csv_text = (
        "slug,kind,title_en,topics,published_on\n"
        "good-one,study,A good study,water-management,2024-01-02\n"
        "bad-kind,novel,Nope,,\n"
        "bad-topic,study,Nope,no-such-topic,\n"
        "bad-date,study,Nope,,yesterday\n"
    )
    upload = SimpleUploadedFile("r.csv", csv_text.encode(), content_type="text/csv")
    client.force_login(member)
    assert client.post(url("library:import"), {"file": upload}).status_code == 404
    client.force_login(staff)
    upload.seek(0)
    html = client.post(url("library:import"), {"file": upload}).content.decode()
    assert "1 created, 3 rejected" in html
    assert list(Resource.objects.values_list("slug", flat=True)) == ["good-one"]


def test_open_data_exports_list_only_public_resources(client: Client, corpus: dict) -> None:
    from rdflib import Graph

    ttl = client.get("/api/v1/library/catalogue.ttl").content.decode()
    graph = Graph().parse(data=ttl, format="turtle")
    assert len(graph) > 20 and "smart-water-tartu" in ttl and "members-heat" not in ttl
    jsonld = client.get("/api/v1/library/catalogue.jsonld")
    assert jsonld["Content-Type"] == "application/ld+json"
    Graph().parse(data=jsonld.content.decode(), format="json-ld")
    feed = client.get("/api/v1/library/feed.atom").content.decode()
    assert "<feed" in feed and "smart-water-tartu" in feed and "members-heat" not in feed
    csv_text = client.get("/api/v1/library/resources.csv").content.decode()
    assert csv_text.count("\n") == 6  # header + five public resources
