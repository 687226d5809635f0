# syntax=docker/dockerfile:1
# One image for every service: python -m services.<ingest|router|sla>, services.router.partner_api.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY schemas ./schemas
COPY plumbing ./plumbing
COPY services ./services
COPY switchboard ./switchboard
RUN /opt/venv/bin/pip install --no-cache-dir -c constraints.txt .

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin switchboard
COPY --from=build /opt/venv /opt/venv
COPY deploy/config/switchboard.yaml /etc/switchboard/switchboard.yaml
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SWITCHBOARD_CONFIG=/etc/switchboard/switchboard.yaml \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8000 \
    LOG_FORMAT=json
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['HTTP_PORT'] + '/health/live', timeout=2)"]
ENTRYPOINT ["python", "-m"]
CMD ["services.ingest"]
