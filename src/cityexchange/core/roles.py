"""The roles of cityexchange, held as Django groups so the admin can assign them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NETWORK_STAFF = "network_staff", _("Network staff")
    MUNICIPAL_MEMBER = "municipal_member", _("Municipal member")
    EXPERT = "expert", _("Expert or researcher")
    RETAILER = "retailer", _("Retailer")
    ADMIN = "admin", _("Administrator")
