"""How often one address may register, on the page and in the API alike."""

from django.utils.translation import gettext_lazy

from cityexchange.core.ratelimit import Limit

REGISTRATION_LIMIT = Limit(
    "events.register",
    "20/m",
    title=gettext_lazy("Too many registrations"),
    message=gettext_lazy("Too many registrations from your address; please wait a minute."),
)
