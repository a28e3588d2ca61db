# syntax=docker/dockerfile:1
# Build stage: the wheel (rules, templates and sample data bundled inside it) and its
# dependencies at the versions pinned in constraints.txt (scripts/update-constraints.sh).
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE CHANGELOG.md constraints.txt ./
COPY bot ./bot
COPY rules ./rules
COPY templates ./templates
RUN pip wheel --no-cache-dir --wheel-dir /wheels --constraint constraints.txt ".[postgres]"

# Runtime stage: the wheels only, a non-root user, a volume for the SQLite file.
# The version pin must follow pyproject.toml (tests/test_packaging.py checks it).
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHOKEPOINT_CONFIG=/etc/chokepoint/chokepoint.yaml \
    CHOKEPOINT_DATABASE=sqlite:////data/chokepoint.db
COPY --from=build /wheels /wheels
# `chokepoint init` writes the starter set-up (real public sources, the rule pack, empty
# templates) where CHOKEPOINT_CONFIG points: it passes `chokepoint check` as it is, and a
# mounted chokepoint.yaml replaces it.
RUN pip install --no-cache-dir --no-index --find-links=/wheels "chokepoint[postgres]==0.2.0" \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin chokepoint \
    && chokepoint init /etc/chokepoint \
    && mkdir -p /data \
    && chown chokepoint /data
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
# `chokepoint health` reads server.port from the same configuration the service runs with
# (file or CHOKEPOINT_SERVER__PORT), so a non-default port needs no second setting here.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["chokepoint", "health"]
STOPSIGNAL SIGTERM
CMD ["chokepoint", "run"]
