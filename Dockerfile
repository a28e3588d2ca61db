# syntax=docker/dockerfile:1
# Build stage: build the wheel (rules and templates are bundled inside it).
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY rules ./rules
COPY templates ./templates
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

# Runtime stage: the wheels only, a non-root user, a volume for the SQLite file.
# The version pin must follow pyproject.toml (tests/test_packaging.py checks it).
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHOKEPOINT_CONFIG=/etc/chokepoint/chokepoint.yaml \
    CHOKEPOINT_DATABASE=sqlite:////data/chokepoint.db
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "chokepoint[postgres]==0.1.0" \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin chokepoint \
    && mkdir -p /data /etc/chokepoint \
    && chown chokepoint /data
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request; port=os.environ.get('CHOKEPOINT_SERVER__PORT','3000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
CMD ["chokepoint", "run"]
