# The app in a container: Render, Railway, Fly, Cloud Run, Hugging Face (Docker SDK), Kubernetes.
#   docker build -t cbec-map .        docker run -p 8501:8501 cbec-map
# Honours $PORT (the platform's), runs as a numeric non-root user, and has every generated file
# built in, so nothing is written at run time (a read-only root file system is fine) and every
# replica serves every file. Bound to 0.0.0.0 as a container must be; .streamlit/config.toml
# sets browser.serverAddress, so start-up makes no outbound call. tests/test_container.py builds
# it with buildah from a local Debian 12 base (BASE=...) and checks that the map is served.
ARG BASE=debian:12-slim
FROM ${BASE}

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Debian 12's Python is 3.11, the version CI tests.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The pinned packages first: this layer is reused while only the app's files change.
COPY requirements.txt constraints.txt ./
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt

COPY . .
# Every file a page can ask a browser to fetch, written now (owned by root: the app cannot
# change its own files).
RUN /opt/venv/bin/python scripts/build_static.py && chmod -R a+rX /app

USER 10001:10001
# An image's files never change: no watching them.
ENV HOME=/tmp \
    PORT=8501 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_HEADLESS=true
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["/opt/venv/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/_stcore/health\", timeout=2)"]
# exec: Streamlit is PID 1 and gets the platform's SIGTERM itself.
CMD ["/bin/sh", "-c", "exec /opt/venv/bin/python -m streamlit run dashboard.py --server.port \"$PORT\""]
