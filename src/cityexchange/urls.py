"""URL wiring: the API, then the pages of each app under a language prefix."""

import importlib.util

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from cityexchange.accounts.views import admin_login_redirect
from cityexchange.api import api
from cityexchange.apidocs import api_reference_page
from cityexchange.core.views import favicon

admin.site.site_header = "cityexchange"
admin.site.site_title = "cityexchange"
# The start page also links the staff pages outside the admin (reports, checks).
admin.site.index_template = "admin/cityexchange_index.html"

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # For clients that ask for it without reading the page's <link rel="icon">.
    path("favicon.ico", favicon),
]

_pages: list[URLPattern | URLResolver] = [
    # The back office signs in through the same throttled, two-factor sign-in as the site.
    path("admin/login/", admin_login_redirect, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("account/", include("cityexchange.accounts.urls")),
    path("account/", include("allauth.urls")),
    path("", include("cityexchange.core.urls")),
    # The reference of the project's API, beside it rather than in an app.
    path("api/", api_reference_page, name="api_reference"),
]
# Module apps (URL prefix, app): mounted once the app has a urls module.
for _prefix, _app in [
    ("", "directory"),
    ("events/", "events"),
    ("library/", "library"),
    ("self-assessment/", "assessments"),
    ("network/", "network"),
    ("challenges/", "challenges"),
    ("consultations/", "consultations"),
    ("market/", "marketplace"),
]:
    if importlib.util.find_spec(f"cityexchange.{_app}.urls") is not None:
        _pages.append(path(_prefix, include(f"cityexchange.{_app}.urls")))

urlpatterns += i18n_patterns(*_pages, prefix_default_language=True)

handler400 = "cityexchange.core.views.bad_request"
handler403 = "cityexchange.core.views.permission_denied"
handler404 = "cityexchange.core.views.page_not_found"
handler500 = "cityexchange.core.views.server_error"
