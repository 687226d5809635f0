#!/usr/bin/env bash
# Debian packages the test suite needs on a new machine. Installs what is missing
# when run as root (CI); otherwise prints the apt-get command to run.
# --demo: only what `make demo` needs (Python's venv, Java and Maven for the broker).
set -euo pipefail

demo_only=0
[[ "${1:-}" == "--demo" ]] && demo_only=1

declare -A needed=(
  [java]=openjdk-17-jdk-headless
  [javac]=openjdk-17-jdk-headless
  [mvn]=maven
)
if ((!demo_only)); then
  needed+=(
    [promtool]=prometheus                 # alert rule tests and the Prometheus e2e test
    [amtool]=prometheus-alertmanager      # Alertmanager config and routing tests
    [chromium]=chromium                   # the demo report's headless browser test
  )
fi

missing=()
for command in "${!needed[@]}"; do
  command -v "$command" >/dev/null || missing+=("${needed[$command]}")
done
# scripts/setup.sh makes .venv with the python3 on PATH; Debian ships venv apart.
if ! command -v python3 >/dev/null; then
  missing+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=(python3-venv)
fi

# Go >= 1.21 builds kustomize for the Kubernetes manifest checks (scripts/install-kustomize.sh).
# Debian 12's golang-go is 1.19, so the Go of bookworm-backports is installed instead.
GO_PACKAGE=golang-1.23-go
go_usable() {
  local go_bin version
  for go_bin in $(command -v go) /usr/lib/go-1.*/bin/go; do
    [[ -x "$go_bin" ]] || continue
    version="$("$go_bin" env GOVERSION 2>/dev/null)" || continue
    [[ "$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"$version")" -ge 21 ]] && return 0
  done
  return 1
}
backports=0
if ((!demo_only)) && ! go_usable; then
  missing+=("${GO_PACKAGE}")
  backports=1
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ "$(id -u)" -ne 0 ]]; then
  echo "setup-system: missing packages; run first: sudo apt-get install -y ${packages[*]}" >&2
  if ((backports)); then
    echo "setup-system: (${GO_PACKAGE} is in Debian's bookworm-backports; or install Go >= 1.21 from go.dev)" >&2
  fi
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ((backports)) && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' >/etc/apt/sources.list.d/bookworm-backports.list
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
# Tests run their own Prometheus on a free port; the packages' system daemons are not needed.
if [[ -d /run/systemd/system ]]; then
  systemctl disable --now prometheus prometheus-alertmanager 2>/dev/null || true
fi
