#!/usr/bin/env bash
# Build the pinned kustomize into .cache/tools/bin from the Go module proxy (Debian 12
# has no kustomize package). tests/deploy renders deploy/k8s with it. Needs Go >= 1.21:
# with GOTOOLCHAIN=auto, Go fetches the newer toolchain kustomize asks for from the Go
# module proxy too. Quick when the pinned version is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"
TOOLS_BIN="${PWD}/.cache/tools/bin"
KUSTOMIZE="${TOOLS_BIN}/kustomize"

fail() { printf 'install-kustomize: %s\n' "$*" >&2; exit 1; }

if [[ -x "${KUSTOMIZE}" && "$("${KUSTOMIZE}" version 2>/dev/null)" == "${KUSTOMIZE_VERSION}" ]]; then
  exit 0
fi

go_bin="$(command -v go || true)"
if [[ -z "${go_bin}" ]]; then
  # Debian's backports Go (scripts/setup-system.sh) is not on PATH.
  go_bin="$(ls -1d /usr/lib/go-1.*/bin/go 2>/dev/null | sort -V | tail -n 1 || true)"
fi
[[ -n "${go_bin}" ]] || fail "Go >= 1.21 is required to build kustomize (run scripts/setup-system.sh)"
go_version="$("${go_bin}" env GOVERSION)"   # e.g. go1.23.4
minor="$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"${go_version}")"
[[ "${minor}" =~ ^[0-9]+$ && "${minor}" -ge 21 ]] ||
  fail "Go >= 1.21 is required to build kustomize; ${go_bin} is ${go_version}"

echo "install-kustomize: building kustomize ${KUSTOMIZE_VERSION} into ${TOOLS_BIN}"
mkdir -p "${TOOLS_BIN}"
GOBIN="${TOOLS_BIN}" GOTOOLCHAIN=auto GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
  "${go_bin}" install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
[[ "$("${KUSTOMIZE}" version)" == "${KUSTOMIZE_VERSION}" ]] ||
  fail "built kustomize reports $("${KUSTOMIZE}" version), expected ${KUSTOMIZE_VERSION}"
