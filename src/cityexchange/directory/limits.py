"""How often the Finder may be asked, one limit for its page and its API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from cityexchange.core.ratelimit import Limit

FINDER_LIMIT = Limit(  # lazy texts: read in the language of each request
    "directory.finder",
    "30/m",
    title=gettext_lazy("Too many searches"),
    message=gettext_lazy("Please wait a minute before searching again."),
)
