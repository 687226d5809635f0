#!/usr/bin/env bash
# Debian packages the test suite needs on a new machine. Installs what is missing
# when run as root (CI); otherwise prints the apt-get command to run.
set -euo pipefail

declare -A needed=(
  [java]=openjdk-17-jdk-headless
  [javac]=openjdk-17-jdk-headless
  [mvn]=maven
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
