"""Rate limits of the consultations app (see ``core.ratelimit``)."""

from cityexchange.core.ratelimit import Limit

# Writing a considered comment takes minutes; ten a minute is already a flood.
COMMENT_LIMIT = Limit(group="consultations-comment", rate="10/m")
