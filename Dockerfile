# SignalDesk: CPU-only image. Build: docker build -t signaldesk .
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SIGNALDESK_HOME=/data \
    SIGNALDESK_PROFILE=prod

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq5 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
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
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 signaldesk \
    && mkdir -p /data && chown signaldesk /data

USER signaldesk
VOLUME ["/data"]
ENTRYPOINT ["signaldesk"]
CMD ["demo"]
