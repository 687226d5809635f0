# syntax=docker/dockerfile:1
# One image for every Switchboard process: `python -m <module>` with the module as the
# command (services.ingest, services.router, services.sla, services.router.partner_api,
# switchboard.cli topics create, switchboard.cli agent ...).
#
#   docker build -t switchboard:0.1.0 .
#
# Built from pyproject.toml with every dependency pinned by constraints.txt. All of them
# come as binary wheels, so no compiler is needed in either stage; lingua's language
# models are inside its wheel, so nothing is downloaded at run time.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
# Dependencies first, in their own layer: it is rebuilt only when the pins change.
COPY pyproject.toml constraints.txt README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && /opt/venv/bin/pip install --only-binary=:all: -c constraints.txt -r requirements.txt
COPY schemas ./schemas
COPY plumbing ./plumbing
COPY services ./services
COPY switchboard ./switchboard
# The demo compares the services' run with the desk engine of bench/desk.
COPY bench ./bench
RUN /opt/venv/bin/pip install --no-deps -c constraints.txt . \
 && /opt/venv/bin/pip check \
 && /opt/venv/bin/python -c "import services.ingest.app, services.router.app, services.sla.app, switchboard.cli"

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="switchboard" \
      org.opencontainers.image.description="Routes e-commerce support tickets to in-house and partner teams on Apache Kafka, with SLA breach alerts" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 switchboard \
 && useradd --system --no-log-init --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin switchboard
COPY --from=build /opt/venv /opt/venv
COPY deploy/config/switchboard.yaml /etc/switchboard/switchboard.yaml
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SWITCHBOARD_CONFIG=/etc/switchboard/switchboard.yaml \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8000 \
    LOG_FORMAT=json
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000
# Liveness, not readiness: a service waiting for Kafka is alive and must not be killed
# for it. The start period covers state restore after a restart (minutes at peak volume).
HEALTHCHECK --interval=10s --timeout=3s --start-period=180s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['HTTP_PORT'] + '/health/live', timeout=2)"]
ENTRYPOINT ["python", "-m"]
CMD ["services.ingest"]
