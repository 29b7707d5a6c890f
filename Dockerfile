# Fluxo application image: web (gunicorn), worker and beat share it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# postgresql-client-15: manage.py backup/restore use the pg_dump/pg_restore of the server's major (compose: 15).
RUN apt-get update && apt-get install -y --no-install-recommends gettext postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY config ./config
COPY common ./common
COPY leads ./leads
COPY antiban ./antiban
COPY whatsapp ./whatsapp
COPY ai_middleware ./ai_middleware
COPY qualification ./qualification
COPY assignment ./assignment
COPY compliance ./compliance
RUN pip install --no-cache-dir -e .
COPY . .
# collectstatic and the opt-out model need settings but no services: give them throwaway URLs and keep the embedded
# servers off. The opt-out classifier is trained once here, into the image (/app/.data/models, OPTOUT_MODEL_DIR's
# default, which docker-compose.yml leaves alone): every web and worker process loads it at start instead of training
# it while the first inbound message waits — what config/run.py does before `make run` starts the workers.
RUN export FLUXO_EMBEDDED=false DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
    FIELD_ENCRYPTION_KEYS=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= BLIND_INDEX_KEY=build-only \
    AUDIT_HMAC_KEY=build-only BACKUP_ENCRYPTION_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    && python manage.py collectstatic --noinput \
    && python manage.py optout_check --warm \
    && useradd --system --uid 10001 fluxo && mkdir -p /app/media /app/.data && chown -R fluxo /app/media /app/.data
USER fluxo
EXPOSE 8000
# gthread: keep-alive for Meta's webhook bursts; threads let the webhook writer batch commits (bench/webhooks.py).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "2", "--threads", "32", "--keep-alive", "30", "--access-logfile", "-"]
