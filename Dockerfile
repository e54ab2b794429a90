# leakbot in a container: docs/deploy.md says how to build and run it, and what was and was not run here.
#
# The two RUN lines that install leakbot are the commands of deploy/install.sh, word for word
# (tests/test_deploy.py compares them), so that CI runs what this image runs.
FROM python:3.11.14-slim-bookworm

# The interpreter and the venv the install commands use; PATH finds `leakbot` and the venv's python.
ARG PYTHON=python3
ARG PREFIX=/opt/leakbot
ENV PATH=/opt/leakbot/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed uid, so that a volume's owner is the same in every image built from this file.
RUN useradd --no-log-init --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin leakbot \
    && mkdir /data \
    && chown leakbot:leakbot /data

WORKDIR /src
# The runtime lock first, alone: its layer is rebuilt only when the lock changes, not on every code change.
COPY requirements.lock ./
RUN "$PYTHON" -m venv "$PREFIX" \
    && "$PREFIX/bin/python" -m pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . ./
RUN "$PREFIX/bin/python" -m pip install --no-cache-dir --no-deps .

# The SQLite file lives in the volume; a compose file or `docker run -e` points DATABASE_URL elsewhere.
ENV DATABASE_URL=sqlite+aiosqlite:////data/leakbot.db
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 3000

# /healthz answers 200 while the database answers (and, in Socket Mode, once connected); slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

ENTRYPOINT ["leakbot"]
