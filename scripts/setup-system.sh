#!/usr/bin/env bash
# Debian packages the test suite needs on a new machine. Installs what is missing
# when run as root (CI); otherwise prints the apt-get command to run.
set -euo pipefail

declare -A needed=(
  [java]=openjdk-17-jdk-headless
  [javac]=openjdk-17-jdk-headless
  [mvn]=maven
  [promtool]=prometheus                 # alert rule tests and the Prometheus e2e test
  [amtool]=prometheus-alertmanager      # Alertmanager config and routing tests
)

missing=()
for command in "${!needed[@]}"; do
  command -v "$command" >/dev/null || missing+=("${needed[$command]}")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ "$(id -u)" -ne 0 ]]; then
  echo "setup-system: missing packages; run: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
# Tests run their own Prometheus on a free port; the packages' system daemons are not needed.
if [[ -d /run/systemd/system ]]; then
  systemctl disable --now prometheus prometheus-alertmanager 2>/dev/null || true
fi
