# Production image: the console (gunicorn), the Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libldap2-dev libsasl2-dev gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The exact versions (and hashes) of requirements/ldap.txt, the lock scripts/lock.sh writes; then the
# project itself, without resolving anything again.
COPY requirements/ldap.txt requirements/ldap.txt
RUN pip install --require-hashes -r requirements/ldap.txt
COPY . .
# The translations (locale/*.po, the only form the repository holds) compiled for the image.
RUN for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "${po%.po}.mo" "$po"; done
RUN pip install --no-deps ".[ldap]" && useradd --system --home /app onramp \
 && mkdir -p /app/var/private && chown -R onramp /app/var
USER onramp
RUN SECRET_KEY=build-only-not-secret-000000000000000000 OTP_ENCRYPTION_KEY=MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA= \
    python manage.py collectstatic --no-input -v 0
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
