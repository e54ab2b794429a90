#!/bin/sh
# Installs leakbot into a venv at PREFIX with the Dockerfile's commands, word for word (tests/test_deploy.py
# compares the two), so that CI runs what the image runs: the runtime lock's exact versions, checked against
# their hashes, then leakbot itself, resolving nothing. Then it says how to start it, as the image does.
#
#   deploy/install.sh PREFIX            e.g. deploy/install.sh /opt/leakbot
#   PYTHON=python3.11 deploy/install.sh PREFIX
#
# PYTHON must be Python 3.11 or newer. It needs PyPI (for the locked packages and the build backend).
set -eu

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "usage: deploy/install.sh PREFIX (the folder of the new venv, e.g. /opt/leakbot)" >&2
    exit 2
fi
PYTHON=${PYTHON:-python3}
case "$1" in
    /*) PREFIX=$1 ;;
    *) PREFIX=$PWD/$1 ;;
esac
PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_DISABLE_PIP_VERSION_CHECK
cd "$(dirname "$0")/.."

# --- the Dockerfile's install commands (its RUN lines after the useradd), in the same order ---
"$PYTHON" -m venv "$PREFIX"
"$PREFIX/bin/python" -m pip install --no-cache-dir --require-hashes -r requirements.lock
"$PREFIX/bin/python" -m pip install --no-cache-dir --no-deps .
# --- end of the Dockerfile's install commands ---

# The image's ENTRYPOINT is `leakbot` on a PATH that starts with the venv's bin.
echo "installed: start it with $PREFIX/bin/leakbot (settings from the environment, or .env in the folder it starts in)"
