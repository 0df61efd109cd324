"""Settings for the test suite: the real settings with test-friendly defaults.

Only defaults are set here, so ``DATABASE_URL`` still switches the suite to PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("CITYEXCHANGE_TESTING", "1")
os.environ.setdefault("CITYEXCHANGE_EMAIL", "memory")
# The suite signs staff in with force_login and no authenticator; the accounts tests
# switch the two-factor requirement on where they test it.
os.environ.setdefault("CITYEXCHANGE_STAFF_MFA", "0")
os.environ.setdefault("CITYEXCHANGE_VAR_DIR", tempfile.mkdtemp(prefix="cityexchange-test-"))

from cityexchange.settings import *  # noqa: E402,F403
from cityexchange.settings import CACHES, DATABASES, VAR_DIR  # noqa: E402

# Fast hashing: tests create many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so concurrent connections in live-server tests really compete.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# pytest-xdist's workers inherit one var folder; each gets a cache of its own, or one
# worker's cache.clear() between tests would empty another's in the middle of a test.
if CACHES["default"]["BACKEND"].endswith("LockedFileCache"):
    CACHES["default"]["LOCATION"] = str(
        VAR_DIR / "cache" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    )
