class TokenConverter:
    """An enrollment token: 32 URL-safe characters (``secrets.token_urlsafe(24)``). Being this
    strict keeps words like /devices/pending/bulk/ from being read as tokens."""

    regex = "[A-Za-z0-9_-]{32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
