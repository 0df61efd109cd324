"""The sign-in page names the product, not the host it is served from."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "Sign in to cityexchange"),
        ("de", "Bei cityexchange anmelden"),
        ("pt", "Entrar no cityexchange"),
    ],
)
def test_the_sign_in_page_is_headed_with_the_product_name(
    client: Client, language: str, heading: str
) -> None:
    html = client.get(f"/{language}/account/login/").content.decode()
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert h1 is not None and h1.group(1).strip() == heading
    assert "testserver" not in html
    assert 'name="password"' in html
