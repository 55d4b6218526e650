"""Code every app uses and that belongs to none: sealing secrets, QR drawing and its cache, text
and username rules, scoped querysets, rate limits, bulk COPY, spreadsheet-safe cells, singleton
settings rows, the fail-open Redis cache, the form renderer, middleware and error reports. Nothing
here imports an app; apps import from here."""
