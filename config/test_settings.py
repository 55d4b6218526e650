"""Settings for the test suite: the production settings with throwaway secrets and fast hashing.

The test command (scripts/test.sh) passes DATABASE_URL and REDIS_URL; without them the suite runs
on SQLite. Unit tests run Celery tasks in-process (eager); the tests that need a real worker start one
(tests/outside.py), as the embedded default and production always have one.
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet

os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 40)
os.environ.setdefault("OTP_ENCRYPTION_KEY", Fernet.generate_key().decode())
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("ONRAMP_ENV_FILE", "/nonexistent")
# The suite's own Redis (if any) is for Celery tests; unit tests use an in-memory cache and run
# tasks eagerly unless a test starts a real worker.
_redis = os.environ.get("REDIS_URL", "")
os.environ["REDIS_URL"] = ""

from config.settings import *  # noqa: E402,F403

TEST_REDIS_URL = _redis
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "onramp-tests"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_STORAGE_DIR = Path(os.environ.get("ONRAMP_TEST_PRIVATE_DIR", "/tmp/onramp-test-private"))
ALLOWED_HOSTS = ["*"]
# Live parts (htmx) poll every quarter second instead of every two, so a browser test sees a change soon after it.
LIVE_POLL_MS = 250
# Webhook retries a second apart and a 2-second timeout, so the retry tests wait little for a receiver that is down.
WEBHOOK_RETRY_BASE_SECONDS = 1
WEBHOOK_RETRY_MAX_SECONDS = 4
WEBHOOK_TIMEOUT_SECONDS = 2
