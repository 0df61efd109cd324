"""How often one address may check out or apply, on the pages and in the API alike.

Orders reserve stock: without a limit one client could hold a whole shop's stock
with invented orders."""

from django.utils.translation import gettext_lazy

from cityexchange.core.ratelimit import Limit

CHECKOUT_LIMIT = Limit(
    "marketplace.checkout",
    "10/m",
    title=gettext_lazy("Too many orders"),
    message=gettext_lazy("Too many orders from your address; please wait a minute."),
)
APPLICATION_LIMIT = Limit("marketplace.apply", "5/m")
