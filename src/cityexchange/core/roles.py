"""The roles of cityexchange, held as Django groups so the admin can assign them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NETWORK_STAFF = "network_staff", _("Network staff")
    MUNICIPAL_MEMBER = "municipal_member", _("Municipal member")
    EXPERT = "expert", _("Expert or researcher")
    RETAILER = "retailer", _("Retailer")
    ADMIN = "admin", _("Administrator")


ALL = ("view", "add", "change", "delete")
EDIT = ("view", "add", "change")
VIEW = ("view",)

# What network staff may do in the back office (Django's model permissions, which the
# admin reads). Pages and API ask the rules in each app's rules.py; this is the admin's
# half of the same vocabulary. "*" stands for every model of the app not named.
STAFF_MODEL_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "core": {
        "organisation": EDIT,
        # Memberships grant access to a municipality's data: administrators decide.
        "membership": VIEW,
        "person": ALL,
        "concept": EDIT,
        "conceptlabel": ALL,
        "auditentry": VIEW,
        "user": VIEW,
    },
    "events": {"remindersent": VIEW, "*": ALL},
    "library": {"searchentry": (), "searchfacet": (), "subscription": VIEW, "*": ALL},
    "directory": {
        "municipalityprofile": ("view", "change"),
        "savedresult": VIEW,
        "searchgap": ("view", "change"),
        "*": ALL,
    },
    "assessments": {"*": VIEW},
    "network": {"*": EDIT},
    "marketplace": {"order": VIEW, "*": ALL},
    # Scores and conflicts of interest belong to the evaluators: staff do not edit them.
    "challenges": {"score": (), "conflict": (), "remindersent": (), "*": ALL},
    # Comments are the participants' words: staff read them here and answer on the pages.
    "consultations": {"comment": VIEW, "remindersent": VIEW, "*": ALL},
}
# Administrators get every permission of these apps, and may manage accounts and groups.
ADMIN_APPS = (
    "core",
    "events",
    "library",
    "directory",
    "assessments",
    "network",
    "marketplace",
    "challenges",
    "consultations",
    "auth",
)
