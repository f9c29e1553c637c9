#!/usr/bin/env bash
# Installs Docker Compose v2 as a docker CLI plugin (`docker compose`), built from its Go module:
# the compose file needs v2 (top-level `name:`), Debian bookworm packages only v1, and no
# download site but the Go module proxy is reachable here. Does nothing when v2 already answers.
# Needs Go and root (it writes /usr/local/lib/docker/cli-plugins); takes a few minutes cold.
set -euo pipefail

VERSION=v2.40.3
PLUGIN_DIR=${DOCKER_CLI_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}

if docker compose version --short 2>/dev/null | grep -q '^2\.'; then
  exit 0
fi
command -v go >/dev/null || { echo "install-compose: Go is needed to build Docker Compose $VERSION" >&2; exit 1; }

echo "building Docker Compose $VERSION from its Go module (a few minutes the first time)"
# `go install module@version` refuses compose (its go.mod has exclude directives), so build
# inside a writable copy of the downloaded module.
source_dir=$(go mod download -json "github.com/docker/compose/v2@$VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$source_dir/." "$work"
chmod -R u+w "$work"
(cd "$work" && go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$VERSION" -o "$work/docker-compose" ./cmd)
mkdir -p "$PLUGIN_DIR"
install -m 0755 "$work/docker-compose" "$PLUGIN_DIR/docker-compose"
docker compose version
