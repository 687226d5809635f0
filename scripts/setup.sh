#!/usr/bin/env bash
# Set up this checkout: check prerequisites, create .venv with Switchboard and its
# dev tools (pinned by constraints.txt), fetch the Kafka jars from Maven Central, and
# build kustomize from the Go module proxy (for the Kubernetes manifest checks).
# Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || fail "Python 3.11+ is required (set PYTHON=/path/to/python3.11)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail "Python 3.11+ is required; $PYTHON is $("$PYTHON" -V 2>&1)"
command -v java >/dev/null || fail "Java 17+ is required for the local Kafka broker (apt-get install openjdk-17-jdk-headless)"
java_major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
[[ "${java_major%%.*}" -ge 17 ]] || fail "Java 17+ is required; found ${java_major}"
command -v mvn >/dev/null || fail "Maven is required to fetch the Kafka jars (apt-get install maven)"

if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "setup: installing Switchboard and its dev tools into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

deploy/kafka/kafka.sh fetch >/dev/null
echo "setup: ready (.venv, Kafka jars)"
