#!/usr/bin/env bash
# `make compose-smoke`: starts docker-compose.yml for real on this machine and shows that it
# keeps its data. Builds every image locally (no image registry answers here), starts the stack
# with docker-compose.smoke.yml on loopback, waits for every healthcheck, shows that the store
# requires each service's own login, publishes events through the recruitment API and, with a
# federation's credential, through Kafka's TLS + SCRAM listener, reads the figures through the
# TLS edge, recreates the Kafka and store containers and shows that nothing was lost and that a
# new event is still counted.
#
# Each step prints its result; the first failure ends the check with a non-zero exit. The Docker
# engine is this script's own (engine.sh) and is stopped, by its pid, on every exit.
#
# Kept between runs under var/compose-smoke (git-ignored): the debootstrapped base (cache/) and
# the engine's image store (docker/), so a second run builds little.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$REPO/infra/compose-smoke
VAR=$REPO/var/compose-smoke
CACHE=$VAR/cache BUILD=$VAR/build
PYTHON=$REPO/.venv/bin/python

# Loopback ports of the smoke stack's own (docker-compose.smoke.yml reads the same variables),
# below the kernel's ephemeral range (32768-60999), where any client's connection could take one.
export SMOKE_KAFKA_PORT=${SMOKE_KAFKA_PORT:-28092} SMOKE_KAFKA_INTERNAL_PORT=${SMOKE_KAFKA_INTERNAL_PORT:-28192}
export SMOKE_KAFKA_CONTROLLER_PORT=${SMOKE_KAFKA_CONTROLLER_PORT:-28093} SMOKE_STORE_PORT=${SMOKE_STORE_PORT:-28017}
export SMOKE_RECRUITMENT_PORT=${SMOKE_RECRUITMENT_PORT:-28001} SMOKE_REPORTING_PORT=${SMOKE_REPORTING_PORT:-28002}
export SMOKE_NOTIFICATIONS_PORT=${SMOKE_NOTIFICATIONS_PORT:-28003} SMOKE_GATEWAY_PORT=${SMOKE_GATEWAY_PORT:-28004}
export SMOKE_FEDERATION_PORT=${SMOKE_FEDERATION_PORT:-28094} SMOKE_EDGE_HTTPS_PORT=${SMOKE_EDGE_HTTPS_PORT:-28443}
export SMOKE_EDGE_HTTP_PORT=${SMOKE_EDGE_HTTP_PORT:-28080} SMOKE_EDGE_HEALTH_PORT=${SMOKE_EDGE_HEALTH_PORT:-28880}
# What checks.py reads besides the ports: the two CA certificates and the federation credential.
export SMOKE_BUILD=$BUILD
# Fresh secret files for each run, read by compose and by checks.py (the admin token).
export ORGANISING_SECRETS_DIR=$VAR/secrets
# The compose project is named by docker-compose.yml; the smoke's own name keeps it apart.
export COMPOSE_PROJECT_NAME=organising-smoke
# No BuildKit: the Debian engine's classic builder, without the buildx plugin compose would
# otherwise need.
export DOCKER_BUILDKIT=0 COMPOSE_BAKE=false
COMPOSE=(docker compose --project-directory "$REPO" -f "$REPO/docker-compose.yml" -f "$HERE/docker-compose.smoke.yml" --env-file /dev/null)
SMOKE_PORTS=(SMOKE_KAFKA_PORT SMOKE_KAFKA_INTERNAL_PORT SMOKE_KAFKA_CONTROLLER_PORT SMOKE_STORE_PORT SMOKE_RECRUITMENT_PORT SMOKE_REPORTING_PORT
  SMOKE_NOTIFICATIONS_PORT SMOKE_GATEWAY_PORT SMOKE_FEDERATION_PORT SMOKE_EDGE_HTTPS_PORT SMOKE_EDGE_HTTP_PORT SMOKE_EDGE_HEALTH_PORT)

COMPOSE_LOG=$BUILD/compose.log

# compose_quietly ARGS...: compose's progress goes to COMPOSE_LOG, shown only when it fails.
compose_quietly() {
  echo "+ docker compose $*" >>"$COMPOSE_LOG"
  "${COMPOSE[@]}" "$@" >>"$COMPOSE_LOG" 2>&1 || { tail -40 "$COMPOSE_LOG" >&2; return 1; }
}

source "$HERE/lib.sh"
source "$HERE/engine.sh"
source "$HERE/images.sh"

preflight() {
  [ "$(id -u)" = 0 ] || { echo "needs root (dockerd, debootstrap)" >&2; return 1; }
  local missing=()
  for command in dockerd docker debootstrap mvn ss; do command -v "$command" >/dev/null || missing+=("$command"); done
  [ ${#missing[@]} = 0 ] || { echo "missing: ${missing[*]} (make compose-smoke installs them)" >&2; return 1; }
  docker compose version || return 1
  [ -x "$PYTHON" ] || { echo "no $PYTHON (make compose-smoke installs it)" >&2; return 1; }
  smoke_ports_free || return 1
  mkdir -p "$CACHE" "$BUILD"
}

smoke_ports_free() {
  local busy=()
  for name in "${SMOKE_PORTS[@]}"; do port_free "${!name}" || busy+=("$name=${!name}"); done
  [ ${#busy[@]} = 0 ] || { echo "ports in use: ${busy[*]} (set other SMOKE_*_PORT values)" >&2; return 1; }
}

new_secrets() {
  rm -rf "$ORGANISING_SECRETS_DIR"
  python3 "$REPO/infra/compose/new-secrets.py" "$ORGANISING_SECRETS_DIR"
}

# A missing secret file stops the stack from starting (the services would otherwise fall back to
# their development secrets).
refuses_without_a_secret() {
  local secret=$ORGANISING_SECRETS_DIR/organising_recruitment_master_key
  mv "$secret" "$secret.away"
  local output status=0
  output=$("${COMPOSE[@]}" up --no-start recruitment 2>&1) || status=$?
  mv "$secret.away" "$secret"
  compose_quietly rm -fsv || return 1
  if [ "$status" = 0 ]; then
    echo "compose created the containers without organising_recruitment_master_key" >&2
    return 1
  fi
  echo "refused: $(tail -1 <<<"$output")"
}

# Volumes an interrupted earlier run left would make the counts below wrong.
clear_leftovers() {
  : >"$COMPOSE_LOG"
  compose_quietly --profile tools down -v --timeout 60
}

build_services() {
  compose_quietly build && docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' organising-services
}

start_stack() {
  # Checked again: the images took minutes, and other work runs on this machine.
  smoke_ports_free || return 1
  # --wait: returns once every container is healthy, or fails at the deadline.
  compose_quietly up -d --wait --wait-timeout 300 || { "${COMPOSE[@]}" ps -a; "${COMPOSE[@]}" logs --tail 30; return 1; }
  "${COMPOSE[@]}" ps --format '{{.Service}}: {{.Status}}'
}

# The operator's command for docker-compose.yml, against this stack: the password is printed once
# and kept in the build folder (readable by root alone) for checks.py.
federation_credential() {
  local output
  output=$(ORGANISING_COMPOSE="${COMPOSE[*]}" ORGANISING_KAFKA_ADMIN_BOOTSTRAP="127.0.0.1:$SMOKE_KAFKA_PORT" \
    "$REPO/infra/compose/kafka-credentials.sh" create FSPMI fspmi-smoke) || return 1
  (umask 077 && sed -n 's/^password: //p' <<<"$output" >"$BUILD/federation-password") || return 1
  [ -s "$BUILD/federation-password" ] || { echo "no password in the command's output" >&2; return 1; }
  grep -v '^password:' <<<"$output"
  # Listed, with its ACL (the revocation below checks that both are gone).
  local listing
  listing=$(ORGANISING_COMPOSE="${COMPOSE[*]}" ORGANISING_KAFKA_ADMIN_BOOTSTRAP="127.0.0.1:$SMOKE_KAFKA_PORT" \
    "$REPO/infra/compose/kafka-credentials.sh" list) || return 1
  grep 'fspmi-smoke' <<<"$listing" || { echo "kafka-credentials.sh list does not show fspmi-smoke" >&2; return 1; }
}

# The same command revokes it; checks.py then shows that the password opens nothing.
revoke_federation_credential() {
  local credentials=("$REPO/infra/compose/kafka-credentials.sh") listing
  export ORGANISING_COMPOSE="${COMPOSE[*]}" ORGANISING_KAFKA_ADMIN_BOOTSTRAP="127.0.0.1:$SMOKE_KAFKA_PORT"
  "${credentials[@]}" revoke fspmi-smoke || return 1
  # Neither its SCRAM credential nor an ACL is left on the broker.
  listing=$("${credentials[@]}" list) || return 1
  if grep -q fspmi-smoke <<<"$listing"; then
    echo "still listed after the revocation:" >&2
    grep fspmi-smoke <<<"$listing" >&2
    return 1
  fi
  echo "kafka-credentials.sh list: no credential or ACL of fspmi-smoke left"
  "$PYTHON" "$HERE/checks.py" revoked
}

# The certificates a federation's client and a browser must trust: the Kafka listener's local CA
# (made by kafka-tls) and the edge's (Caddy's internal CA).
certificate_authorities() {
  "${COMPOSE[@]}" exec -T kafka cat /etc/kafka/tls/ca.pem >"$BUILD/kafka-ca.pem" || return 1
  wait_for 60 "the edge's local CA" "${COMPOSE[@]}" exec -T edge test -s /data/caddy/pki/authorities/local/root.crt || return 1
  "${COMPOSE[@]}" exec -T edge cat /data/caddy/pki/authorities/local/root.crt >"$BUILD/edge-ca.pem" || return 1
  grep -c 'BEGIN CERTIFICATE' "$BUILD/kafka-ca.pem" "$BUILD/edge-ca.pem"
}

container_ids() {
  "${COMPOSE[@]}" ps -q kafka mongo | cut -c1-12 | tr '\n' ' '
}

recreate_data_holders() {
  local before
  before=$(container_ids)
  compose_quietly up -d --force-recreate --no-deps --wait --wait-timeout 300 kafka mongo \
    || { "${COMPOSE[@]}" ps -a; "${COMPOSE[@]}" logs --tail 40 kafka mongo; return 1; }
  # The services restart too, so that nothing they hold in memory can hide a loss.
  compose_quietly restart recruitment reporting notifications gateway || return 1
  compose_quietly up -d --wait --wait-timeout 300 || { "${COMPOSE[@]}" ps -a; return 1; }
  local after
  after=$(container_ids)
  echo "kafka and mongo containers: $before-> $after"
  [ "$before" != "$after" ]
}

cleanup() {
  local status=$?
  if [ -n "$ENGINE_PID" ]; then
    echo "stopping the stack and its volumes"
    compose_quietly --profile tools down -v --timeout 60 || echo "compose down failed" >&2
    stop_engine
  fi
  rm -rf "$ORGANISING_SECRETS_DIR" "$BUILD/kafka" "$BUILD/federation-password"
  # The closing line in the plain form CI reads: each step is one check.
  if [ "$status" = 0 ]; then
    echo "compose smoke passed in $SECONDS s"
    echo "compose-smoke: $STEP passed, 0 failed"
  else
    echo "compose smoke FAILED after $SECONDS s" >&2
    echo "compose-smoke: $((STEP > 0 ? STEP - 1 : 0)) passed, 1 failed"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One function, read whole before it runs: editing this file during a run cannot derail it.
main() {
  step "preflight: tools, root, free loopback ports" preflight
  step "start a private Docker engine ($VAR/run/docker.sock)" start_engine "$VAR/docker" "$VAR/run"
  step "base image from Debian's packages (debootstrap, cached)" build_base
  step "Kafka image from the local stack's Maven jars" build_kafka
  step "SecantusDB image (the store, for this check only)" build_store
  step "Caddy image from Debian's package (the TLS edge)" build_edge
  step "services image from the Dockerfile (compose build)" build_services
  step "remove containers and volumes an earlier run left" clear_leftovers
  step "fresh secret files" new_secrets
  step "compose refuses to start without a secret file" refuses_without_a_secret
  step "start the stack and wait for every healthcheck" start_stack
  step "the store requires a login, and one service's user cannot write another's database" "$PYTHON" "$HERE/checks.py" store-users
  step "publish 5 members and a union unit through the recruitment API; reporting counts them" "$PYTHON" "$HERE/checks.py" seed 5
  step "the CA certificates of Kafka's federation listener and of the TLS edge" certificate_authorities
  step "the TLS edge: HTTPS only, HSTS, each path to its service, body limits, the live stream unbuffered" "$PYTHON" "$HERE/checks.py" edge
  step "a federation credential (infra/compose/kafka-credentials.sh create FSPMI fspmi-smoke)" federation_credential
  step "publish 2 members through the TLS + SCRAM listener; the figures, read through the edge, count them" "$PYTHON" "$HERE/checks.py" federation 2
  step "revoke the credential (kafka-credentials.sh revoke); it can no longer publish" revoke_federation_credential
  step "snapshot: figures, recorded events, Kafka records" "$PYTHON" "$HERE/checks.py" snapshot "$BUILD/before.json"
  step "recreate the Kafka and store containers (volumes kept)" recreate_data_holders
  step "snapshot after recreating" "$PYTHON" "$HERE/checks.py" snapshot "$BUILD/after.json"
  step "nothing was lost" "$PYTHON" "$HERE/checks.py" same "$BUILD/before.json" "$BUILD/after.json"
  step "a new member is still counted" "$PYTHON" "$HERE/checks.py" one-more "$BUILD/after.json"
}

main "$@"
