#!/usr/bin/env bash
# The README's test command. It installs the real peers the interop tests run
# against when they are missing (apt-get, as root or with sudo), then checks
# formatting, vet, go.mod tidiness and staticcheck, and runs the tests of the
# root module and of every nested module with -race. It stops, saying what to
# install, when a peer is missing and cannot be installed: it never reports
# green with interop tests skipped.
set -euo pipefail
cd "$(dirname "$0")"

STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2 # pinned: a new release may add checks

# Debian package for each peer command the tests run.
declare -A peers=(
  [openssl]=openssl [curl]=curl [python3]=python3 [node]=nodejs
  [tshark]=tshark [runuser]=util-linux [gnutls-cli]=gnutls-bin [nginx]=nginx [redis-server]=redis-server
)
missing=()
for cmd in "${!peers[@]}"; do
  command -v "$cmd" >/dev/null || missing+=("${peers[$cmd]}")
done
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    echo "test.sh: missing test peers: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" ca-certificates >/dev/null
  # tshark's package asks whether non-root users may capture; the tests only
  # read saved captures, so the answer does not matter.
fi
if ! id postgres >/dev/null 2>&1; then
  echo "test.sh: the postgresql package left no postgres user; the PostgreSQL STARTTLS test needs one" >&2
  exit 1
fi

modules=$(find . -name go.mod -not -path './.git/*' -exec dirname {} \; | sort)
for m in $modules; do
  echo "== module $m"
  (
    cd "$m"
    go mod download
    unformatted=$(gofmt -l .)
    if [ -n "$unformatted" ]; then
      echo "gofmt: not formatted:" $unformatted >&2
      exit 1
    fi
    go mod tidy -diff
    go vet ./...
    go run "$STATICCHECK" ./...
    go test -race -count=1 ./...
    # Allocation counts and heap sizes are measured without -race, which changes escapes.
    go test -count=1 -run 'Alloc|Idle' ./...
  )
done
echo "test.sh: all modules passed"
