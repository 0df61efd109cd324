"""The Finder: a municipality's needs in, ranked and explained offers out.

How an offer is scored (no rule names an offer or a scenario):

1. *Meaning of the free text.* The thesaurus finds the concepts the text names
   in any of de/en/es/pt; their broader and narrower neighbours count at half
   weight. Independently, the text's words are stemmed under each language's
   Snowball rules and matched against every language version of each offer's
   name, summary and description, weighted by how rare a stem is in the
   catalogue (idf), so "Hochwasser", "flooding" and "inundaciones" all land.
2. *Hard filters.* Ended, paused or past-deadline offers, offers the country
   may not join (EU-only, members-only, named countries, national programmes of
   another country), and events, trainings and programmes held in none of the
   user's languages (interpretation counts) are left out.
3. *Flagged constraints.* What one reads or runs (tools, guidelines, self-paced
   material) stays when it is in none of the user's languages, lower and with a
   caveat saying so; so do invitation-only offers, and restricted offers when
   the country is not known. Caveats are never reasons why an offer fits.
4. *Soft fit.* Goals (ticked, or read from the text through ``lexicon``),
   experience level, effort against the town's resources (and its size), the
   time a session takes, online or on site, national or international reach
   and the cost of taking part raise or lower the score.
5. *Threshold.* Only offers with something in common with the need (a topic,
   words, a goal) and a score above ``SHOW_THRESHOLD`` are shown, in bands
   ("strong", "good", "possible" fit) rather than raw numbers; when nothing is
   left the answer says what the user could change.

Every offer's term profile is built once per process (``core.caching``) and
rebuilt after the directory's services or the thesaurus loader bump their
data, so a request costs no query for the offers, only in-memory arithmetic
over postings lists and a shortlist whatever the catalogue's size.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import math
import re
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from cityexchange.core import caching
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.links import slug_paths
from cityexchange.core.models import OrganisationKind
from cityexchange.core.templatetags.languages import language_names
from cityexchange.core.text import ThesaurusIndex, stem, thesaurus, words
from cityexchange.directory.enums import (
    EFFORT_ORDER,
    EU_COUNTRIES,
    LEVEL_ORDER,
    REGION_COUNTRIES,
    Cost,
    Effort,
    Eligibility,
    Format,
    Goal,
    OfferKind,
    OfferStatus,
    SearchOutcome,
    StaffTime,
)
from cityexchange.directory.lexicon import (
    GOAL_CUES,
    LEVEL_CUES,
    LOW_RESOURCE_CUES,
    MODE_CUES,
    ROLE_CUES,
    SCOPE_CUES,
    SHORT_TIME_CUES,
)
from cityexchange.directory.models import Offer
from cityexchange.directory.neighbours import neighbours_for

logger = logging.getLogger(__name__)

# Weights of the parts of the score; tuned on the evaluation scenarios as a
# whole (``cityexchange eval-finder``), never per scenario.
W_CONCEPTS = 0.30
W_TEXT = 0.25
W_GOALS = 0.30
W_LEVEL = 0.12
W_EFFORT = 0.10
W_COST = 0.02
W_ROLE = 0.08
W_REGION = 0.10
W_TIME = 0.10
W_MODE = 0.08
W_SCOPE = 0.08
# Flagged constraints lower an offer rather than hide it.
INVITATION_PENALTY = 0.12
LANGUAGE_PENALTY = 0.12
UNKNOWN_COUNTRY_PENALTY = 0.04
# What a result must reach to be shown at all, and the lower bounds of the bands
# (tuned on the evaluation scenarios, positive and negative ones, as a whole).
SHOW_THRESHOLD = 0.2
MIN_RELEVANCE = 0.12
BANDS = (("strong", 0.55), ("good", 0.38), ("possible", SHOW_THRESHOLD))
# A session of at most this many minutes counts as "short".
SHORT_SESSION = 60
# Kinds of offer one reads or runs rather than takes part in: a language barrier
# is a caveat for them, not a reason to hide them.
READABLE_KINDS = frozenset({OfferKind.TOOL, OfferKind.GUIDELINE})
# Field weights for an offer's words: its name says most about it.
FIELD_WEIGHTS = {"name": 3.0, "summary": 2.0, "description": 1.0}
# A stem found in more than this share of offers says nothing (like a stopword);
# in a large catalogue, stems in more than MAX_DOCUMENT_FREQUENCY offers say too
# little to be worth walking their postings.
MAX_DOCUMENT_SHARE = 0.5
MAX_DOCUMENT_FREQUENCY = 100
# How many offers reach the detailed scoring after the cheap first pass.
SHORTLIST = 80
CONCEPT_MASS_FLOOR = 2.0
TEXT_MASS_FLOOR = 3.0
SMALL_TOWN = 20000
# An offer the municipality already takes part in is shown lower, not hidden:
# it may still be the right answer, but rarely the news the town is looking for.
ALREADY_MEMBER_PENALTY = 0.3
# A members-only offer the town may use through a membership: a small lift, as
# it costs no joining.
MEMBER_BENEFIT = 0.05

# Goals and formats as they read inside a reason ("helps you: train staff",
# "online, 30 minutes"). Their own messages, not the capitalised labels of the
# choices lowered, so each language keeps its grammar (German nouns keep capitals).
GOAL_PHRASES: dict[str, Any] = {
    Goal.LEARN_EXAMPLES: pgettext_lazy("finder reason: helps you …", "learn from examples"),
    Goal.PEER_EXCHANGE: pgettext_lazy("finder reason: helps you …", "exchange with peers"),
    Goal.EXPERT_ADVICE: pgettext_lazy("finder reason: helps you …", "get expert advice"),
    Goal.CO_DEVELOP_PILOT: pgettext_lazy(
        "finder reason: helps you …", "co-develop a pilot with researchers"
    ),
    Goal.TRAIN_STAFF: pgettext_lazy("finder reason: helps you …", "train staff"),
    Goal.MEASURE_MATURITY: pgettext_lazy("finder reason: helps you …", "measure digital maturity"),
    Goal.FIND_FUNDING: pgettext_lazy("finder reason: helps you …", "find funding"),
    Goal.SHAPE_GUIDELINES: pgettext_lazy("finder reason: helps you …", "shape guidelines"),
    Goal.DIGITISE_RETAIL: pgettext_lazy("finder reason: helps you …", "digitise local retail"),
    Goal.INTERNATIONAL_VISIBILITY: pgettext_lazy(
        "finder reason: helps you …", "gain international visibility"
    ),
    Goal.STRATEGY_SUPPORT: pgettext_lazy(
        "finder reason: helps you …", "get support for a strategy"
    ),
}
FORMAT_PHRASES: dict[str, Any] = {
    Format.ONLINE: pgettext_lazy("finder reason: how an offer is held", "online"),
    Format.HYBRID: pgettext_lazy("finder reason: how an offer is held", "hybrid"),
    Format.ON_SITE: pgettext_lazy("finder reason: how an offer is held", "on site"),
    Format.SELF_PACED: pgettext_lazy("finder reason: how an offer is held", "self-paced"),
    Format.MIXED: pgettext_lazy("finder reason: how an offer is held", "mixed formats"),
}
# The other reasons that read one of a few sentences: only the one shown is translated.
LEVEL_PHRASES: dict[str, Any] = {
    "newcomer": gettext_lazy("open to newcomers"),
    "intermediate": gettext_lazy("suits cities with some experience"),
    "experienced": gettext_lazy("made for experienced cities"),
}
ELIGIBLE_PHRASES: dict[str, Any] = {
    Eligibility.MEMBERS: gettext_lazy("for members of the network: %(country)s is a member"),
    Eligibility.EU_MUNICIPALITIES: gettext_lazy(
        "for municipalities in the EU: %(country)s may take part"
    ),
    Eligibility.EU_MEMBER_STATES: gettext_lazy(
        "for EU member states and their municipalities: %(country)s may take part"
    ),
    Eligibility.COUNTRIES: gettext_lazy("only for some countries: %(country)s is one of them"),
}
MODE_PHRASES: dict[str, Any] = {
    "online": gettext_lazy("you can take part online, as you wished"),
    "on_site": gettext_lazy("you meet people in person, as you wished"),
}
SCOPE_PHRASES: dict[str, Any] = {
    "national": gettext_lazy("a national offer, as you wished"),
    "eu": gettext_lazy("a European offer, as you wished"),
    "international": gettext_lazy("international, as you wished"),
}
BAND_PHRASES: dict[str, Any] = {
    "strong": gettext_lazy("strong fit"),
    "good": gettext_lazy("good fit"),
    "possible": gettext_lazy("possible fit"),
}


@dataclass
class OfferProfile:
    """What the Finder knows about one offer, computed once."""

    index: int
    pk: int
    slug: str
    kind: str
    names: dict[str, str]
    time_commitment: dict[str, str]
    levels: frozenset[str]
    roles: frozenset[str]
    goals: frozenset[str]
    languages: tuple[str, ...]
    interpretation: tuple[str, ...]
    eligibility: str
    countries: frozenset[str]
    region: str
    format: str
    duration_minutes: int | None
    effort: str
    cost: str
    status: str
    deadline: dt.date | None
    ends_on: dt.date | None
    topics: frozenset[str]
    # Organisers' ids; ``lead_organisers`` are the ones a membership of this offer
    # makes you a member of (its network organisers, or all when it has none).
    organisers: frozenset[int] = frozenset()
    lead_organisers: frozenset[int] = frozenset()
    terms: dict[str, float] = field(default_factory=dict)


@dataclass
class FinderIndex:
    profiles: list[OfferProfile]
    term_postings: dict[str, list[tuple[int, float]]]
    term_idf: dict[str, float]
    concept_postings: dict[str, list[int]]  # the offers with that topic
    concept_idf: dict[str, float]
    goal_postings: dict[str, list[int]]
    by_slug: dict[str, OfferProfile]
    members_only: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class FinderQuery:
    """The user's wishes, validated (see ``api.FinderIn``)."""

    description: str
    country: str = ""
    population: int | None = None
    experience: str = ""
    languages: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    staff_time: str = ""
    budget: str = ""
    # Slugs of the offers (networks, programmes) the municipality already takes part in.
    memberships: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "country": self.country,
            "population": self.population,
            "experience": self.experience,
            "languages": list(self.languages),
            "goals": list(self.goals),
            "topics": list(self.topics),
            "staff_time": self.staff_time,
            "budget": self.budget,
            "memberships": list(self.memberships),
        }


@dataclass
class Understanding:
    """What the Finder read from the query: shown to the user and used for scoring."""

    concepts: dict[str, float]  # concept key -> weight (1 named, 0.5 neighbour)
    named_concepts: list[str]  # concepts named directly, in order of appearance
    token_variants: list[set[str]]  # per query word: its stems under each language
    goals: dict[str, float]  # goal -> weight (1 ticked, 0.6 read from the text)
    experience: str
    low_resources: bool
    roles: frozenset[str] = frozenset()
    time_budget: int | None = None  # minutes per session the town can spare
    mode: str = ""  # "online" or "on_site"
    scope: str = ""  # "national", "eu" or "international"


@dataclass
class Ranked:
    profile: OfferProfile
    score: float
    relevance: float
    reasons: list[tuple[Any, ...]]
    # The parts of the score that measure what the offer has in common with the
    # need (concepts, words, goals), and "fit": the score before a membership
    # lowered it in the list, which the band is read from.
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def band(self) -> str:
        return fit_band(self.parts.get("fit", self.score))


@dataclass
class FinderResult:
    query: FinderQuery
    understanding: Understanding
    ranked: list[Ranked]
    outcome: SearchOutcome | None
    # Offers that matched the need but a hard filter left out, per filter
    # ("country", "language", "closed"): what the user could change.
    left_out: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- index


def finder_index() -> FinderIndex:
    """The offers' profiles, built once per process and again after the directory's
    services (offers) or the thesaurus loader ``caching.bump`` their data."""
    return caching.cached("finder.offers", _build_index, depends_on=("directory", "thesaurus"))


def _stems_of(text: str, language: str) -> list[str]:
    return [stem(w, language) for w in words(text) if len(w) > 1]


def _build_index() -> FinderIndex:
    index_thesaurus = thesaurus()
    offers = list(Offer.objects.prefetch_related("organisers", "topics").order_by("pk"))
    profiles: list[OfferProfile] = []
    label_terms: dict[str, set[str]] = {}
    for position, offer in enumerate(offers):
        member_countries: set[str] = set(c.upper() for c in offer.eligible_countries)
        organisers = list(offer.organisers.all())
        if offer.eligibility == Eligibility.MEMBERS and not member_countries:
            for organiser in organisers:
                member_countries.update(c.upper() for c in organiser.member_countries or [])
        networks = frozenset(o.pk for o in organisers if o.kind == OrganisationKind.NETWORK)
        topics = frozenset(t.key for t in offer.topics.all())
        profile = OfferProfile(
            index=position,
            pk=offer.pk,
            slug=offer.slug,
            kind=offer.kind,
            names={lang: getattr(offer, f"name_{lang}") or offer.name for lang in LANGUAGES},
            time_commitment={
                lang: getattr(offer, f"time_commitment_{lang}") or "" for lang in LANGUAGES
            },
            levels=frozenset(offer.audience_levels),
            roles=frozenset(offer.audience_roles),
            goals=frozenset(offer.goals),
            languages=tuple(offer.languages),
            interpretation=tuple(offer.interpretation_languages),
            eligibility=offer.eligibility,
            countries=frozenset(member_countries),
            region=offer.region,
            format=offer.format,
            duration_minutes=offer.duration_minutes,
            effort=offer.effort,
            cost=offer.cost,
            status=offer.status,
            deadline=offer.deadline,
            ends_on=offer.ends_on,
            topics=topics,
            organisers=frozenset(o.pk for o in organisers),
            lead_organisers=networks or frozenset(o.pk for o in organisers),
        )
        terms: dict[str, float] = {}
        for language in LANGUAGES:
            for name, weight in FIELD_WEIGHTS.items():
                text = getattr(offer, f"{name}_{language}") or ""
                if not text:
                    continue
                for term in _stems_of(text, language):
                    if weight > terms.get(term, 0.0):
                        terms[term] = weight
        # The labels of the offer's own topics are words of the offer too.
        for key in topics:
            if key not in label_terms:
                label_terms[key] = {
                    term
                    for language, label in index_thesaurus.expansion(key)
                    for term in _stems_of(label, language)
                }
            for term in label_terms[key]:
                terms.setdefault(term, 1.0)
        profile.terms = terms
        profiles.append(profile)

    total = max(len(profiles), 1)
    term_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    concept_postings: dict[str, list[int]] = defaultdict(list)
    goal_postings: dict[str, list[int]] = defaultdict(list)
    for profile in profiles:
        for term, weight in profile.terms.items():
            term_postings[term].append((profile.index, weight))
        for key in profile.topics:
            concept_postings[key].append(profile.index)
        for goal in profile.goals:
            goal_postings[goal].append(profile.index)
    term_idf = {
        term: math.log(1 + total / len(postings)) for term, postings in term_postings.items()
    }
    concept_idf = {
        key: math.log(1 + total / len(postings)) for key, postings in concept_postings.items()
    }
    return FinderIndex(
        profiles=profiles,
        term_postings=dict(term_postings),
        term_idf=term_idf,
        concept_postings=dict(concept_postings),
        concept_idf=concept_idf,
        goal_postings=dict(goal_postings),
        by_slug={p.slug: p for p in profiles},
        members_only=[p.index for p in profiles if p.eligibility == Eligibility.MEMBERS],
    )


# --------------------------------------------------------------------------- filters


def _eligible(eligibility: str, countries: frozenset[str], region: str, country: str) -> bool:
    """The country rules: EU-only, members' or named countries, another country's
    national programme. Without a country nothing is ruled out here."""
    if not country:
        return True
    if eligibility in (Eligibility.EU_MUNICIPALITIES, Eligibility.EU_MEMBER_STATES):
        if country not in EU_COUNTRIES:
            return False
    elif eligibility in (Eligibility.MEMBERS, Eligibility.COUNTRIES) and countries:
        if country not in countries:
            return False
    region_countries = REGION_COUNTRIES.get(region)
    return not (region_countries and len(region_countries) == 1 and country not in region_countries)


def _country_allows(profile: OfferProfile, country: str) -> bool:
    return _eligible(profile.eligibility, profile.countries, profile.region, country)


def _language_allows(profile: OfferProfile, languages: Iterable[str]) -> bool:
    offered = (*profile.languages, *profile.interpretation)
    return not offered or any(language in offered for language in languages)


def _open_on(profile: OfferProfile, today: dt.date) -> bool:
    """Active, before its deadline and its end."""
    return (
        profile.status == OfferStatus.ACTIVE
        and not (profile.deadline and profile.deadline < today)
        and not (profile.ends_on and profile.ends_on < today)
    )


def memberships_of(index: FinderIndex, query: FinderQuery) -> tuple[set[int], dict[int, str]]:
    """The offers the town takes part in, and the members-only offers open to it through them.

    Returns the positions of its memberships and, per members-only offer that
    shares an organiser with one of its membership networks, that network's slug.
    """
    members: set[int] = set()
    organisers: dict[int, str] = {}
    for slug in query.memberships:
        profile = index.by_slug.get(slug)
        if profile is None:
            continue
        members.add(profile.index)
        if profile.kind != OfferKind.MEMBERSHIP_NETWORK:
            continue  # taking part in a format or programme makes nobody a member
        for pk in sorted(profile.lead_organisers):
            organisers.setdefault(pk, slug)
    unlocked: dict[int, str] = {}
    if organisers:
        for position in index.members_only:
            shared = sorted(pk for pk in index.profiles[position].organisers if pk in organisers)
            if shared:
                unlocked[position] = organisers[shared[0]]
    return members, unlocked


def language_is_caveat(profile: OfferProfile) -> bool:
    """Whether a language barrier only flags the offer: one reads or runs it."""
    return profile.kind in READABLE_KINDS or profile.format == Format.SELF_PACED


def blocked(
    profile: OfferProfile,
    query: FinderQuery,
    today: dt.date,
    *,
    unlocked: Container[int] = frozenset(),
) -> str:
    """Which hard filter leaves the offer out ("closed", "country", "language"), or "".

    ``unlocked`` offers (members-only, open through a membership) pass the country filter.
    """
    if not _open_on(profile, today):
        return "closed"
    if profile.index not in unlocked and not _country_allows(profile, query.country):
        return "country"
    if (
        query.languages
        and not _language_allows(profile, query.languages)
        and not language_is_caveat(profile)
    ):
        return "language"
    return ""


def allowed(
    profile: OfferProfile,
    query: FinderQuery,
    today: dt.date,
    *,
    unlocked: Container[int] = frozenset(),
) -> bool:
    """Whether an offer passes the hard filters (see ``blocked``)."""
    return not blocked(profile, query, today, unlocked=unlocked)


# --------------------------------------------------------------------------- understanding


@cache
def _cues() -> ThesaurusIndex:
    """Every cue list as a phrase index, matched like thesaurus labels (``core.text``):
    stemmed runs of whole words in any language, and German compounds that contain a
    cue ("Weiterbildungsangebot"). The "concepts" are names such as "goal:train_staff".
    """
    lists: dict[str, dict[str, list[str]]] = {
        **{f"goal:{goal}": cues for goal, cues in GOAL_CUES.items()},
        **{f"level:{level}": cues for level, cues in LEVEL_CUES.items()},
        **{f"role:{role}": cues for role, cues in ROLE_CUES.items()},
        "low_resources": LOW_RESOURCE_CUES,
        "time:short": SHORT_TIME_CUES,
        **{f"mode:{mode}": cues for mode, cues in MODE_CUES.items()},
        **{f"scope:{scope}": cues for scope, cues in SCOPE_CUES.items()},
    }
    index = ThesaurusIndex()
    for name, by_language in lists.items():
        for language, cues in by_language.items():
            for cue in cues:
                index.add(name, language, cue, preferred=False)
    return index


def understand(query: FinderQuery) -> Understanding:
    index_thesaurus = thesaurus()
    text = " ".join(
        [query.description, *[t for t in query.topics if t not in index_thesaurus.labels]]
    )
    matches = index_thesaurus.find(text)
    named: list[str] = [key for key in query.topics if key in index_thesaurus.labels]
    for match in matches:
        if match.concept not in named:
            named.append(match.concept)
    concepts: dict[str, float] = {key: 1.0 for key in named}
    narrower: dict[str, list[str]] = defaultdict(list)
    for key, broader in index_thesaurus.broader.items():
        if broader:
            narrower[broader].append(key)
    for key in named:
        neighbours = [index_thesaurus.broader.get(key), *narrower.get(key, [])]
        for other in neighbours:
            if other and other not in concepts:
                concepts[other] = 0.5

    tokens = words(query.description)
    token_variants = []
    seen: set[frozenset[str]] = set()
    for token in tokens:
        if len(token) < 3:
            continue
        variants = {token} | {stem(token, language) for language in LANGUAGES}
        signature = frozenset(variants)
        if signature not in seen:
            seen.add(signature)
            token_variants.append(variants)

    cues = {match.concept for match in _cues().find(query.description)}
    goals: dict[str, float] = {goal: 1.0 for goal in query.goals}
    # In a fixed order: every process words (and sums) the same answer the same way.
    for name in sorted(cues):
        if name.startswith("goal:"):
            goals.setdefault(name[5:], 0.6)
    experience = query.experience
    if not experience:
        if "level:newcomer" in cues and "level:experienced" not in cues:
            experience = "newcomer"
        elif "level:experienced" in cues and "level:newcomer" not in cues:
            experience = "experienced"
    low_resources = (
        query.staff_time == StaffTime.NONE
        or (query.budget == "none" and query.staff_time != StaffTime.TEAM)
        or ("low_resources" in cues and query.staff_time != StaffTime.TEAM)
    )
    time_budget = time_budget_of(query.description)
    if time_budget is None and "time:short" in cues:
        time_budget = SHORT_SESSION
    modes = [name[5:] for name in sorted(cues) if name.startswith("mode:")]
    scopes = {name[6:] for name in cues if name.startswith("scope:")}
    # "international" contains "national" (German compounds are searched inside):
    # the wider word wins; Europe is the narrower wish when both are named.
    scope = next((s for s in ("eu", "international", "national") if s in scopes), "")
    return Understanding(
        concepts=concepts,
        named_concepts=named,
        token_variants=token_variants,
        goals=goals,
        experience=experience,
        low_resources=low_resources,
        roles=frozenset(name[5:] for name in cues if name.startswith("role:")),
        time_budget=time_budget,
        mode=modes[0] if len(modes) == 1 else "",
        scope=scope,
    )


_MINUTES = re.compile(
    r"(\d{1,3}(?:[.,]5)?)\s*(?:-|–|bis|to|a|até)?\s*(\d{1,3})?\s*"
    r"(min\w*|h\b|std\b|stunden?|hours?|horas?|hrs?)",
    re.IGNORECASE,
)
_HOUR_WORDS = {"eine stunde", "an hour", "one hour", "una hora", "uma hora"}
_HALF_HOUR_WORDS = {"halbe stunde", "half an hour", "half hour", "media hora", "meia hora"}


def time_budget_of(text: str) -> int | None:
    """Minutes per session a text allows ("30 Minuten", "1 hour", "90 minutos"), if it says."""
    lowered = text.lower()
    found: list[int] = []
    for match in _MINUTES.finditer(lowered):
        amount = float((match.group(2) or match.group(1)).replace(",", "."))
        unit = match.group(3)
        minutes = amount if unit.startswith("min") else amount * 60
        if 5 <= minutes <= 600:
            found.append(int(minutes))
    if not found and any(phrase in lowered for phrase in _HALF_HOUR_WORDS):
        found.append(30)
    if not found and any(phrase in lowered for phrase in _HOUR_WORDS):
        found.append(60)
    return min(found) if found else None


# --------------------------------------------------------------------------- ranking


def _relevance(
    index: FinderIndex, understanding: Understanding
) -> tuple[dict[int, float], dict[int, float]]:
    """Concept coverage and text similarity per offer, both in 0..1."""
    concept_scores: dict[int, float] = {}
    concept_mass = 0.0
    for key, weight in understanding.concepts.items():
        idf = index.concept_idf.get(key)
        if weight >= 1.0:
            concept_mass += idf if idf is not None else 1.0
        if idf is None:
            continue
        gain = weight * idf
        score = concept_scores.get
        for position in index.concept_postings[key]:
            concept_scores[position] = score(position, 0.0) + gain
    if concept_mass:
        # A need that names only one broad concept ("smart city") says little: the
        # mass is at least CONCEPT_MASS_FLOOR, so only rare concepts reach full coverage.
        mass = max(concept_mass, CONCEPT_MASS_FLOOR)
        concept_scores = {p: min(1.0, value / mass) for p, value in concept_scores.items()}

    limit = min(MAX_DOCUMENT_SHARE * len(index.profiles), MAX_DOCUMENT_FREQUENCY)
    text_scores: dict[int, float] = defaultdict(float)
    text_mass = 0.0
    for variants in understanding.token_variants:
        # Per query word, the best of its language variants counts, once.
        best: dict[int, float] = {}
        best_idf = 0.0
        for variant in variants:
            postings = index.term_postings.get(variant)
            if not postings or len(postings) > limit:
                continue
            idf = index.term_idf[variant]
            best_idf = max(best_idf, idf)
            for position, weight in postings:
                value = idf * weight / 3.0
                if value > best.get(position, 0.0):
                    best[position] = value
        if best_idf:
            text_mass += best_idf
            for position, value in best.items():
                text_scores[position] += value
    if text_mass:
        # One matching word in a short request is weak evidence: the mass is at least
        # that of TEXT_MASS_FLOOR rare words, so a single hit cannot make a full match.
        text_mass = max(text_mass, TEXT_MASS_FLOOR * math.log(1 + len(index.profiles)))
        text_scores = {p: min(1.0, value / text_mass * 1.5) for p, value in text_scores.items()}
    return concept_scores, text_scores


def _goal_fit(profile: OfferProfile, goals: dict[str, float]) -> tuple[float, list[str]]:
    if not goals:
        return 0.0, []
    hits = [goal for goal in goals if goal in profile.goals]
    if not hits:
        return 0.0, []
    wanted = sum(sorted(goals.values(), reverse=True)[:2])
    return min(1.0, sum(goals[g] for g in hits) / wanted), hits


def _level_fit(profile: OfferProfile, experience: str) -> float:
    if not experience or not profile.levels:
        return 0.0
    if experience in profile.levels:
        return 1.0
    mine = LEVEL_ORDER.get(experience, 1)
    gap = min(abs(mine - LEVEL_ORDER[level]) for level in profile.levels)
    return -0.4 if gap == 1 else -1.0


def _effort_fit(profile: OfferProfile, query: FinderQuery, understanding: Understanding) -> float:
    effort = EFFORT_ORDER.get(profile.effort, 1)
    small = query.population is not None and query.population < SMALL_TOWN
    if understanding.low_resources:
        return {0: 1.0, 1: 0.0, 2: -1.0}[effort]
    if small:
        return {0: 0.6, 1: 0.1, 2: -0.6}[effort]
    if query.staff_time == StaffTime.TEAM or (
        query.population is not None and query.population >= 250000
    ):
        return {0: 0.0, 1: 0.2, 2: 0.3}[effort]
    return {0: 0.3, 1: 0.1, 2: -0.2}[effort]


def _time_fit(profile: OfferProfile, budget: int | None) -> float:
    """How well a session's length and the offer's effort suit the time the town has."""
    if budget is None:
        return 0.0
    if profile.duration_minutes:
        return 1.0 if profile.duration_minutes <= budget else -0.5
    by_effort: dict[str, float] = {Effort.LOW: 0.3, Effort.MEDIUM: -0.3, Effort.HIGH: -1.0}
    return by_effort.get(profile.effort, 0.0)


def _mode_fit(profile: OfferProfile, mode: str) -> float:
    fits: dict[str, float]
    if mode == "online":
        fits = {
            Format.ONLINE: 1.0,
            Format.SELF_PACED: 0.8,
            Format.HYBRID: 0.4,
            Format.ON_SITE: -1.0,
        }
        return fits.get(profile.format, 0.0)
    if mode == "on_site":
        fits = {
            Format.ON_SITE: 1.0,
            Format.HYBRID: 0.7,
            Format.MIXED: 0.3,
            Format.ONLINE: -0.5,
            Format.SELF_PACED: -0.5,
        }
        return fits.get(profile.format, 0.0)
    return 0.0


def _scope_fit(profile: OfferProfile, scope: str, country: str) -> float:
    region_countries = REGION_COUNTRIES.get(profile.region)
    national = bool(region_countries) and len(region_countries or ()) == 1
    if scope == "national":
        if national and (not country or country in (region_countries or ())):
            return 1.0
        return -0.3 if profile.region == "global" else 0.0
    if scope == "eu":
        return 1.0 if profile.region == "europe" else (-0.5 if national else 0.0)
    if scope == "international":
        return -1.0 if national else (0.5 if profile.region == "global" else 0.2)
    return 0.0


def fit_band(score: float) -> str:
    """The band a score falls in ("strong", "good", "possible"), or "" below the threshold."""
    return next((band for band, bound in BANDS if score >= bound), "")


def rank(query: FinderQuery, *, limit: int = 10, today: dt.date | None = None) -> FinderResult:
    """Rank the offers for ``query``: only those above the threshold, at most ``limit``;
    the explanations are reason codes (see ``reason_text``)."""
    today = today or timezone.localdate()
    index = finder_index()
    understanding = understand(query)
    if not index.profiles:
        return FinderResult(query, understanding, [], SearchOutcome.NOTHING)
    concept_scores, text_scores = _relevance(index, understanding)

    # First pass: a cheap sum over the postings lists shortlists candidates.
    first = {position: W_CONCEPTS * value for position, value in concept_scores.items()}
    so_far = first.get
    for position, value in text_scores.items():
        first[position] = so_far(position, 0.0) + W_TEXT * value
    for goal, weight in understanding.goals.items():
        gain = W_GOALS * weight / 2
        for position in index.goal_postings.get(goal, ()):
            first[position] = so_far(position, 0.0) + gain
    member_positions, unlocked = memberships_of(index, query)
    # The best of the first pass that pass the hard filters. Only offers with
    # something in common with the need can be shown, so nothing else is scored.
    shortlist: list[int] = []
    left_out: dict[str, int] = defaultdict(int)
    for position in sorted(first, key=first.__getitem__, reverse=True):
        reason = blocked(index.profiles[position], query, today, unlocked=unlocked)
        if reason:
            if first[position] >= SHOW_THRESHOLD and reason != "closed":
                left_out[reason] += 1
            continue
        shortlist.append(position)
        if len(shortlist) == SHORTLIST:
            break

    # Score the shortlist; only the results shown get their reasons worked out.
    parts: dict[int, dict[str, float]] = {}
    scored: list[tuple[float, str, int, float, tuple[Any, ...] | None, list[tuple[Any, ...]]]] = []
    for position in shortlist:
        profile = index.profiles[position]
        concept = concept_scores.get(position, 0.0)
        text = text_scores.get(position, 0.0)
        goal_fit, _goal_hits = _goal_fit(profile, understanding.goals)
        if not goal_fit and "find_funding" in understanding.goals and profile.cost == Cost.FUNDED:
            # Participants receive money: that answers a search for funding in part.
            goal_fit = 0.5 * understanding.goals["find_funding"]
        relevance = max(concept, text)
        if relevance < MIN_RELEVANCE and not goal_fit:
            continue
        level_fit = _level_fit(profile, understanding.experience)
        effort_fit = _effort_fit(profile, query, understanding)
        cost_fit = 1.0 if profile.cost in (Cost.FREE, Cost.FUNDED) else -0.5
        role_fit = 1.0 if understanding.roles & profile.roles else 0.0
        region_countries = REGION_COUNTRIES.get(profile.region)
        region_fit = (
            -1.0
            if query.country and region_countries and query.country not in region_countries
            else 0.0
        )
        score = (
            W_CONCEPTS * concept
            + W_TEXT * text
            + W_GOALS * goal_fit
            + W_LEVEL * level_fit
            + W_EFFORT * effort_fit
            + W_COST * cost_fit
            + W_ROLE * role_fit
            + W_REGION * region_fit
            + W_TIME * _time_fit(profile, understanding.time_budget)
            + W_MODE * _mode_fit(profile, understanding.mode)
            + W_SCOPE * _scope_fit(profile, understanding.scope, query.country)
        )
        caveats: list[tuple[Any, ...]] = []
        if profile.eligibility == Eligibility.INVITATION:
            score -= INVITATION_PENALTY
            caveats.append(("invitation",))
        if query.languages and not _language_allows(profile, query.languages):
            score -= LANGUAGE_PENALTY
            caveats.append(("language_barrier", list(profile.languages)))
        membership: tuple[Any, ...] | None = None
        # How well it fits is judged before the membership lowers it in the list.
        fit_score = score
        if position in member_positions:
            score -= ALREADY_MEMBER_PENALTY
            membership = ("member", profile.kind)
        elif position in unlocked:
            score += MEMBER_BENEFIT
            membership = ("member_access", unlocked[position])
        elif not query.country and profile.eligibility in (
            Eligibility.MEMBERS,
            Eligibility.COUNTRIES,
            Eligibility.EU_MUNICIPALITIES,
            Eligibility.EU_MEMBER_STATES,
        ):
            score -= UNKNOWN_COUNTRY_PENALTY
            caveats.append(("restricted", profile.eligibility, sorted(profile.countries)))
        if profile.eligibility == Eligibility.ENROLLED_STUDENTS:
            caveats.append(("enrolment",))
        score = round(max(score, 0.0), 4)
        fit_score = max(fit_score, score)
        parts[position] = {"concept": concept, "text": text, "goal": goal_fit, "fit": fit_score}
        if fit_score < SHOW_THRESHOLD:
            continue
        scored.append((score, profile.slug, position, relevance, membership, caveats))
    ranked: list[Ranked] = []
    for score, _slug, position, relevance, membership, caveats in heapq.nsmallest(
        limit, scored, key=lambda item: (-item[0], item[1])
    ):
        profile = index.profiles[position]
        _fit, goal_hits = _goal_fit(profile, understanding.goals)
        reasons = _reasons(
            profile,
            query=query,
            understanding=understanding,
            matched=[
                key
                for key, weight in understanding.concepts.items()
                if weight >= 1.0 and key in profile.topics
            ],
            goal_hits=goal_hits,
            level_fit=_level_fit(profile, understanding.experience),
            effort_fit=_effort_fit(profile, query, understanding),
            today=today,
            membership=membership,
        )
        ranked.append(Ranked(profile, score, relevance, reasons + caveats, parts[position]))

    outcome: SearchOutcome | None = None
    if not ranked:
        outcome = SearchOutcome.NOTHING
    elif len(ranked) < 3:
        outcome = SearchOutcome.LITTLE
    return FinderResult(query, understanding, ranked, outcome, dict(left_out))


# --------------------------------------------------------------------------- reasons


def _reasons(
    profile: OfferProfile,
    *,
    query: FinderQuery,
    understanding: Understanding,
    matched: list[str],
    goal_hits: list[str],
    level_fit: float,
    effort_fit: float,
    today: dt.date,
    membership: tuple[Any, ...] | None = None,
) -> list[tuple[Any, ...]]:
    reasons: list[tuple[Any, ...]] = []
    if membership and membership[0] == "member":
        reasons.append(membership)
    if matched:
        order = {key: n for n, key in enumerate(understanding.named_concepts)}
        reasons.append(("topics", sorted(set(matched), key=lambda k: order.get(k, 99))[:4]))
    if goal_hits:
        reasons.append(("goals", goal_hits[:3]))
    if level_fit > 0:
        reasons.append(("level", understanding.experience))
    reasons.append(("format", profile.format, profile.duration_minutes))
    # Held in one of the town's languages: a reason; in none, a note (added by ``rank``).
    if profile.languages and (not query.languages or _language_allows(profile, query.languages)):
        reasons.append(("language", list(profile.languages), list(profile.interpretation)))
    if effort_fit > 0 and profile.effort == Effort.LOW and understanding.low_resources:
        reasons.append(("low_effort",))
    if understanding.time_budget is not None and _time_fit(profile, understanding.time_budget) > 0:
        reasons.append(("fits_time", understanding.time_budget))
    if _mode_fit(profile, understanding.mode) > 0.5:
        reasons.append(("fits_mode", understanding.mode))
    if _scope_fit(profile, understanding.scope, query.country) > 0.4:
        reasons.append(("fits_scope", understanding.scope))
    if membership and membership[0] == "member_access":
        reasons.append(membership)
    if profile.cost == Cost.FREE:
        reasons.append(("free",))
    elif profile.cost == Cost.FUNDED:
        reasons.append(("funded",))
    # Conditions, not reasons: that the town may take part is said as a fact
    # ("open to municipalities in the EU; yours is"), never as why it fits.
    if (
        query.country
        and not membership
        and profile.eligibility
        in (
            Eligibility.MEMBERS,
            Eligibility.COUNTRIES,
            Eligibility.EU_MUNICIPALITIES,
            Eligibility.EU_MEMBER_STATES,
        )
    ):
        reasons.append(("eligible", profile.eligibility, query.country))
    if profile.deadline and profile.deadline >= today:
        reasons.append(("deadline", profile.deadline.isoformat()))
    return reasons


# Reason codes that are conditions or warnings, shown apart from why an offer fits.
NOTE_CODES = frozenset(
    {"eligible", "deadline", "invitation", "language_barrier", "restricted", "enrolment"}
)


def split_reasons(
    reasons: Iterable[tuple[Any, ...] | list[Any]],
) -> tuple[list[tuple[Any, ...] | list[Any]], list[tuple[Any, ...] | list[Any]]]:
    """Reason codes as (why it fits, what to keep in mind)."""
    fits: list[tuple[Any, ...] | list[Any]] = []
    notes: list[tuple[Any, ...] | list[Any]] = []
    for reason in reasons:
        (notes if reason[0] in NOTE_CODES else fits).append(reason)
    return fits, notes


def band_label(band: str) -> str:
    """A band in words, in the active language."""
    return str(BAND_PHRASES.get(band, ""))


def _country_name(code: str) -> str:
    from django_countries import countries

    return str(countries.name(code) or code)


def _names(items: Iterable[str], labels: dict[str, Any]) -> str:
    return ", ".join(str(labels.get(item, item)) for item in items)


def reason_text(reason: tuple[Any, ...] | list[Any], language: str) -> str:
    """One reason code worded in ``language`` (call inside ``translation.override``)."""
    code, *args = reason
    if code == "topics":
        labels = [thesaurus().label(key, language) for key in args[0]]
        return _("matches: %(topics)s") % {"topics": ", ".join(labels)}
    if code == "goals":
        return _("helps you: %(goals)s") % {"goals": _names(args[0], GOAL_PHRASES)}
    if code == "level":
        return str(LEVEL_PHRASES.get(args[0], ""))
    if code == "format":
        fmt, minutes = args
        label = str(FORMAT_PHRASES.get(fmt, fmt))
        if minutes:
            return ngettext(
                "%(format)s, %(minutes)d minute", "%(format)s, %(minutes)d minutes", minutes
            ) % {"format": label, "minutes": minutes}
        return label
    if code == "member":
        if args[0] == OfferKind.MEMBERSHIP_NETWORK:
            return _("you are already a member")
        return _("you already take part")
    if code == "member_access":
        return _("open to you as a member of %(network)s") % {
            "network": offer_name(args[0], language)
        }
    if code == "language":
        spoken, interpreted = args
        held = language_names(spoken)
        if interpreted:
            return _("in %(languages)s with %(interpretation)s interpretation on demand") % {
                "languages": held,
                "interpretation": language_names(interpreted),
            }
        return _("in %(languages)s") % {"languages": held}
    if code == "low_effort":
        return _("little effort: fits a team without spare staff time")
    if code == "eligible":
        eligibility, country = args
        sentence = ELIGIBLE_PHRASES.get(eligibility)
        return str(sentence) % {"country": _country_name(country)} if sentence else ""
    if code == "restricted":
        eligibility, codes = args
        if codes:
            return _("only for municipalities in %(countries)s: tell us your country") % {
                "countries": ", ".join(_country_name(c) for c in codes)
            }
        if eligibility in (Eligibility.EU_MUNICIPALITIES, Eligibility.EU_MEMBER_STATES):
            return _("only for the EU: tell us your country")
        return _("only for members: tell us your country")
    if code == "invitation":
        return _("by invitation only: you cannot apply, the organisers choose who takes part")
    if code == "enrolment":
        return _("a study programme: you need to enrol")
    if code == "language_barrier":
        return _("available in %(languages)s only, none of your languages") % {
            "languages": language_names(args[0])
        }
    if code == "fits_time":
        return _("fits the time you have (about %(minutes)d minutes)") % {"minutes": args[0]}
    if code == "fits_mode":
        return str(MODE_PHRASES.get(args[0], ""))
    if code == "fits_scope":
        return str(SCOPE_PHRASES.get(args[0], ""))
    if code == "free":
        return _("free of charge")
    if code == "funded":
        return _("participants receive funding")
    if code == "deadline":
        from django.utils.formats import date_format

        return _("apply by %(date)s") % {
            "date": date_format(dt.date.fromisoformat(args[0]), "DATE_FORMAT")
        }
    return ""


def reasons_text(reasons: Iterable[tuple[Any, ...] | list[Any]], language: str) -> list[str]:
    """Reason codes worded in ``language`` (cheap inside an active override of it)."""
    if translation.get_language() == language:
        return [text for reason in reasons if (text := reason_text(reason, language))]
    with translation.override(language):
        return [text for reason in reasons if (text := reason_text(reason, language))]


def offer_name(slug: str, language: str) -> str:
    """An offer's name in ``language``, from the profiles when this process has them."""
    profile = finder_index().by_slug.get(slug)
    if profile is not None:
        return profile.names.get(language) or profile.names.get("en") or slug
    offer = Offer.objects.filter(slug=slug).first()
    if offer is None:
        return slug
    return str(getattr(offer, f"name_{language}", "") or offer.name)


def offer_open_to(offer: Offer, country: str, *, today: dt.date | None = None) -> bool:
    """Whether a municipality in ``country`` can take up ``offer`` now: open, the
    country eligible (the Finder's own country rules), and not by invitation only.

    Other apps (the roadmap's "offers that fit") ask this instead of re-implementing
    it. Members-only offers without their own country list take their organisers'
    member countries: prefetch ``organisers`` when calling this for many offers.
    """
    if offer.eligibility == Eligibility.INVITATION:
        return False
    today = today or timezone.localdate()
    if (
        offer.status != OfferStatus.ACTIVE
        or (offer.deadline and offer.deadline < today)
        or (offer.ends_on and offer.ends_on < today)
    ):
        return False
    countries = {c.upper() for c in offer.eligible_countries or []}
    if offer.eligibility == Eligibility.MEMBERS and not countries:
        for organiser in offer.organisers.all():
            countries.update(c.upper() for c in organiser.member_countries or [])
    return _eligible(offer.eligibility, frozenset(countries), offer.region, country.upper())


_KINDS = frozenset(OfferKind.values)


def kind_label(kind: str, language: str) -> str:
    with translation.override(language):
        return str(OfferKind(kind).label) if kind in _KINDS else kind


# --------------------------------------------------------------------------- the whole answer


def finder_run(
    query: FinderQuery,
    *,
    language: str,
    limit: int = 10,
    record_gaps: bool = True,
    exclude_organisation: int | None = None,
) -> dict[str, Any]:
    """Everything the API and the results page show for one search."""
    from cityexchange.directory.services import search_gap_record

    result = rank(query, limit=limit)
    understanding = result.understanding
    index_thesaurus = thesaurus()
    with translation.override(language):
        offer_path = slug_paths("directory:offer_detail")
        items = []
        for r in result.ranked:
            profile = r.profile
            fits, notes = split_reasons(r.reasons)
            band = r.band
            items.append(
                {
                    "offer": {
                        "slug": profile.slug,
                        "name": profile.names.get(language) or profile.names.get("en", ""),
                        "kind": profile.kind,
                        "kind_label": kind_label(profile.kind, language),
                        "url": offer_path(profile.slug),
                    },
                    "score": r.score,
                    "fit": band,
                    "fit_label": band_label(band),
                    "reasons": reasons_text(fits, language),
                    "notes": reasons_text(notes, language),
                    "reason_codes": [list(reason) for reason in r.reasons],
                }
            )
        advice = advice_for(result)
    topics = list(understanding.named_concepts)
    if not topics:
        for r in result.ranked[:3]:
            topics.extend(k for k in sorted(r.profile.topics) if k not in topics)
    events, resources, peers = neighbours_for(
        topics,
        understanding.named_concepts,
        language,
        exclude_organisation=exclude_organisation,
    )
    if record_gaps and result.outcome is not None:
        search_gap_record(
            concepts=understanding.named_concepts,
            outcome=result.outcome,
            country=query.country,
            description_length=len(query.description),
        )
    return {
        "items": items,
        "count": len(items),
        "events": events,
        "resources": resources,
        "peers": peers,
        "understood": {
            "topics": [index_thesaurus.label(k, language) for k in understanding.named_concepts],
            "goals": sorted(understanding.goals),
            "experience": understanding.experience or None,
            "low_resources": understanding.low_resources,
            "time_budget_minutes": understanding.time_budget,
            "mode": understanding.mode or None,
            "scope": understanding.scope or None,
        },
        "advice": advice,
    }


def understood_lines(understood: dict[str, Any]) -> list[str]:
    """Time budget, mode and scope read from the text, in words (active language)."""
    lines: list[str] = []
    if understood.get("time_budget_minutes"):
        lines.append(
            _("Time per session: about %(minutes)d minutes")
            % {"minutes": understood["time_budget_minutes"]}
        )
    mode = {"online": _("Taking part: online"), "on_site": _("Taking part: in person")}
    if understood.get("mode") in mode:
        lines.append(str(mode[understood["mode"]]))
    scope = {
        "national": _("Reach: national"),
        "eu": _("Reach: European"),
        "international": _("Reach: international"),
    }
    if understood.get("scope") in scope:
        lines.append(str(scope[understood["scope"]]))
    if understood.get("low_resources"):
        lines.append(_("Little staff time or budget: low-effort offers first"))
    return lines


def advice_for(result: FinderResult) -> list[str]:
    """What the user could change when little or nothing fits, in the active language."""
    if result.outcome is None:
        return []
    advice: list[str] = []
    country_count = result.left_out.get("country", 0)
    if country_count:
        advice.append(
            ngettext(
                "%(count)d more offer matches your need but is not open to municipalities "
                "in your country.",
                "%(count)d more offers match your need but are not open to municipalities "
                "in your country.",
                country_count,
            )
            % {"count": country_count}
        )
    language_count = result.left_out.get("language", 0)
    if language_count:
        advice.append(
            ngettext(
                "%(count)d more offer matches your need but is held in none of your "
                "languages: tick English too if someone in your team works in it.",
                "%(count)d more offers match your need but are held in none of your "
                "languages: tick English too if someone in your team works in it.",
                language_count,
            )
            % {"count": language_count}
        )
    if not result.understanding.named_concepts:
        advice.append(
            _(
                "No known topic was recognised: name the problem in other words "
                "(for example flooding, local shops, data platform) or pick topics."
            )
        )
    advice.append(
        _(
            "Fewer ticked goals and a broader description find more; "
            "the library and the events may still hold material on your topic."
        )
    )
    return advice
