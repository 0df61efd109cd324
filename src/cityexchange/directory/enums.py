"""The vocabularies of the directory: kinds of offer, audiences, eligibility, goals...

They are shared by the catalogue file, the models, the Finder's input and its
explanations, so a value means the same thing everywhere.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferKind(models.TextChoices):
    MEMBERSHIP_NETWORK = "membership_network", _("Membership network")
    EXCHANGE_FORMAT = "exchange_format", _("Exchange format")
    TRAINING = "training", _("Training or course")
    STUDY_PROGRAMME = "study_programme", _("Study programme")
    CHALLENGE = "challenge", _("Challenge or call")
    CONSULTATION = "consultation", _("Consultation")
    TOOL = "tool", _("Tool or app")
    FUNDING = "funding", _("Funding programme")
    GUIDELINE = "guideline", _("Guideline")
    ADVISORY = "advisory", _("Advisory or support service")


class Level(models.TextChoices):
    NEWCOMER = "newcomer", _("Newcomer")
    INTERMEDIATE = "intermediate", _("Intermediate")
    EXPERIENCED = "experienced", _("Experienced")


LEVEL_ORDER: dict[str, int] = {Level.NEWCOMER: 0, Level.INTERMEDIATE: 1, Level.EXPERIENCED: 2}


class Role(models.TextChoices):
    SMART_CITY_MANAGER = "smart_city_manager", _("Smart-city managers")
    MAYOR = "mayor", _("Mayors")
    CDO = "cdo", _("Chief digital officers")
    MUNICIPAL_STAFF = "municipal_staff", _("Municipal staff")
    RESEARCHER = "researcher", _("Researchers")
    STUDENT = "student", _("Students")
    RETAILER = "retailer", _("Retailers")
    MINISTRY = "ministry", _("Ministries")


class Eligibility(models.TextChoices):
    OPEN = "open", _("Open to all")
    MEMBERS = "members", _("Members only")
    EU_MUNICIPALITIES = "eu_municipalities", _("Municipalities in the EU")
    EU_MEMBER_STATES = "eu_member_states", _("EU member states")
    COUNTRIES = "countries", _("Named countries")
    INVITATION = "invitation", _("By invitation")
    ENROLLED_STUDENTS = "enrolled_students", _("Enrolled students")


class Region(models.TextChoices):
    GLOBAL = "global", _("Worldwide")
    EUROPE = "europe", _("Europe")
    GERMANY = "germany", _("Germany")
    LATIN_AMERICA = "latin_america", _("Latin America")
    ASIA = "asia", _("Asia")
    AFRICA = "africa", _("Africa")


class Format(models.TextChoices):
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")
    ON_SITE = "on_site", _("On site")
    SELF_PACED = "self_paced", _("Self-paced")
    MIXED = "mixed", _("Mixed")


class Cost(models.TextChoices):
    FREE = "free", _("Free of charge")
    FEE = "fee", _("Fee")
    FUNDED = "funded", _("Participants receive funding")


class Effort(models.TextChoices):
    LOW = "low", _("Low (hours)")
    MEDIUM = "medium", _("Medium (days over some weeks)")
    HIGH = "high", _("High (months: a pilot or a degree)")


EFFORT_ORDER: dict[str, int] = {Effort.LOW: 0, Effort.MEDIUM: 1, Effort.HIGH: 2}


class Goal(models.TextChoices):
    LEARN_EXAMPLES = "learn_examples", _("Learn from examples")
    PEER_EXCHANGE = "peer_exchange", _("Exchange with peers")
    EXPERT_ADVICE = "expert_advice", _("Get expert advice")
    CO_DEVELOP_PILOT = "co_develop_pilot", _("Co-develop a pilot with researchers")
    TRAIN_STAFF = "train_staff", _("Train staff")
    MEASURE_MATURITY = "measure_maturity", _("Measure digital maturity")
    FIND_FUNDING = "find_funding", _("Find funding")
    SHAPE_GUIDELINES = "shape_guidelines", _("Shape guidelines")
    DIGITISE_RETAIL = "digitise_retail", _("Digitise local retail")
    INTERNATIONAL_VISIBILITY = "international_visibility", _("Gain international visibility")
    STRATEGY_SUPPORT = "strategy_support", _("Support for a strategy")


class OfferStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class StaffTime(models.TextChoices):
    NONE = "none", _("Hardly any staff time")
    SOME = "some", _("Some hours a month")
    TEAM = "team", _("A dedicated person or team")


class Budget(models.TextChoices):
    NONE = "none", _("No budget")
    SMALL = "small", _("A small budget")
    AVAILABLE = "available", _("A budget for projects")


class SearchOutcome(models.TextChoices):
    NOTHING = "nothing", _("Found nothing")
    LITTLE = "little", _("Found little")


# The countries of the European Union (ISO 3166-1 alpha-2), for EU-only offers.
EU_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)

# Countries by the directory's regions, to weigh an offer's geography against
# where a municipality is (a soft fit: a German programme rarely suits a city in Peru).
REGION_COUNTRIES: dict[str, frozenset[str]] = {
    "germany": frozenset({"DE"}),
    "europe": EU_COUNTRIES
    | frozenset("AL AD BA BY CH FO GB GI IS LI MC MD ME MK NO RS SM UA VA XK".split()),
    "latin_america": frozenset(
        "AR BO BR BZ CL CO CR CU DO EC GT HN HT JM MX NI PA PE PR PY SV TT UY VE".split()
    ),
    "asia": frozenset(
        "AF BD BN BT CN HK ID IN JP KH KR KZ KG LA LK MM MN MY NP PH PK SG TH TJ TL TW UZ VN "
        "AE BH IL IQ IR JO KW LB OM QA SA SY TR YE".split()
    ),
    "africa": frozenset(
        "DZ AO BJ BW BF BI CV CM CF TD KM CD CG CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY "
        "MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW".split()
    ),
}
