# SignalDesk: one CPU-only image for every role (docker build -t signaldesk .):
#   chat     signaldesk ui --host 0.0.0.0            (port 8000)
#   serve    signaldesk serve --host 0.0.0.0         (port 8080)
#   worker   signaldesk worker --host 0.0.0.0        (port 8090: /healthz, /readyz, /metrics;
#            the loop's day and the briefing every day at SIGNALDESK_WORKER_RUN_AT, UTC)
#   jobs     signaldesk jobs run day / briefing ...   (cron, Kubernetes CronJobs)
#   one-off  signaldesk db upgrade, simulate, eval ...
# Two stages: the first builds a virtual environment from the hashed lock (compilers only
# there); the second copies it into a slim runtime that runs as an unprivileged user.

FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# The locked dependencies first (a layer that changes only with the lock): every package pinned
# with its hashes; torch is the CPU build from PyTorch's CPU index (make lock writes the file).
COPY requirements-runtime.lock ./
RUN pip install --require-hashes --extra-index-url https://download.pytorch.org/whl/cpu \
    -r requirements-runtime.lock
COPY pyproject.toml README.md ./
COPY cli ./cli
COPY ui ./ui
COPY api ./api
COPY briefing ./briefing
COPY evals ./evals
COPY agent ./agent
COPY loop ./loop
COPY tools ./tools
COPY reports ./reports
COPY quant ./quant
COPY retrieval ./retrieval
COPY data ./data
COPY prompts ./prompts
COPY core ./core
RUN pip install --no-deps --no-build-isolation .


FROM python:3.11-slim-bookworm AS runtime

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    SIGNALDESK_HOME=/data \
    SIGNALDESK_PROFILE=prod

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 signaldesk \
    && mkdir -p /data && chown 10001 /data

COPY --from=build /opt/venv /opt/venv

USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000 8080 8090
# A role that serves sets SIGNALDESK_HEALTH_URL (compose and Kubernetes do: the API's, the
# chat's or the worker's /healthz); a one-off job has nothing to answer and reports healthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; url = os.environ.get('SIGNALDESK_HEALTH_URL'); sys.exit(0 if not url or urllib.request.urlopen(url, timeout=4).status < 500 else 1)"]
ENTRYPOINT ["signaldesk"]
CMD ["demo"]
