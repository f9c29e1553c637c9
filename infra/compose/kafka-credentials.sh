#!/usr/bin/env bash
# Federation credentials for docker-compose.yml's Kafka: what `organising-kafka-credentials` does
# under `make run`, with the Kafka image's own tools (kafka-configs.sh, kafka-acls.sh), run in the
# kafka container on its plaintext listener, whose clients are the super-user. (The Python tool
# needs Java and Kafka's jars, which the services' image does not carry.)
#
#   infra/compose/kafka-credentials.sh create FEDERATION NAME   # prints the password once
#   infra/compose/kafka-credentials.sh rotate NAME              # a new password, printed once
#   infra/compose/kafka-credentials.sh revoke NAME              # ACLs first, then the credential
#   infra/compose/kafka-credentials.sh list                     # every credential and ACL
#
# A credential is a SCRAM-SHA-512 user plus one ACL: WRITE on the topics prefixed
# `organising.ingress.<FEDERATION>.` and nothing else. The password reaches the container on
# stdin and a file only its user can read, never a command line. Run from the repository root;
# ORGANISING_COMPOSE replaces `docker compose` (the smoke check passes its own files) and
# ORGANISING_KAFKA_ADMIN_BOOTSTRAP the listener.
set -euo pipefail

COMPOSE=(${ORGANISING_COMPOSE:-docker compose})
# Kafka's plaintext listener as seen inside its container (the smoke check's is on another port).
BOOTSTRAP=${ORGANISING_KAFKA_ADMIN_BOOTSTRAP:-localhost:9092}
PREFIX=${ORGANISING_TOPIC_PREFIX:-}
FEDERATIONS=${ORGANISING_FEDERATIONS:-FSPMI,SPN,KEP,FARKES-R,ASPEK,FSP-ISI,FSP-PAR,FSPPI}

fail() { echo "kafka-credentials: $*" >&2; exit 2; }

in_kafka() { "${COMPOSE[@]}" exec -T kafka "$@"; }

valid_name() {
  # Lower case only: no credential can be called ANONYMOUS, the principal of the plaintext listeners.
  [[ $1 =~ ^[a-z][a-z0-9-]{2,62}$ ]] || fail "NAME must be 3-63 characters: a lower-case letter, then lower-case letters, digits or -"
}

# set_password NAME PASSWORD: the SCRAM credential, through a file readable by the container's user only.
set_password() {
  printf 'SCRAM-SHA-512=password=%s\n' "$2" | in_kafka bash -c '
    umask 077; file=$(mktemp); trap "rm -f \"$file\"" EXIT; cat >"$file"
    /opt/kafka/bin/kafka-configs.sh --bootstrap-server '"$BOOTSTRAP"' --alter --entity-type users --entity-name "$1" --add-config-file "$file" >/dev/null' _ "$1"
}

new_password() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }

# The credential's prefixed topic ACLs, one resource name a line.
acl_prefixes() {
  in_kafka /opt/kafka/bin/kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --list --principal "User:$1" \
    | sed -n 's/.*resourceType=TOPIC, name=\([^,]*\), patternType=PREFIXED.*/\1/p'
}

command=${1:-}
case "$command" in
  create)
    [ $# = 3 ] || fail "usage: create FEDERATION NAME"
    federation=$2 name=$3
    valid_name "$name"
    [[ ,$FEDERATIONS, == *,"$federation",* ]] || fail "FEDERATION must be one of $FEDERATIONS (ORGANISING_FEDERATIONS)"
    topic="${PREFIX}organising.ingress.$federation.v1"
    # The gateway creates every configured federation's ingress topic when it starts; the
    # credential itself may not create topics.
    password=$(new_password)
    set_password "$name" "$password"
    in_kafka /opt/kafka/bin/kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --add --allow-principal "User:$name" \
      --operation WRITE --topic "${PREFIX}organising.ingress.$federation." --resource-pattern-type prefixed >/dev/null
    echo "credential $name for $federation: may write $topic and nothing else"
    echo "mechanism: SCRAM-SHA-512 over TLS (see docs/federations.md)"
    echo "username: $name"
    echo "password: $password"
    echo "The password is shown this once; give it to the federation's system over a channel you trust."
    ;;
  rotate)
    [ $# = 2 ] || fail "usage: rotate NAME"
    valid_name "$2"
    in_kafka /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --describe --entity-type users --entity-name "$2" \
      | grep -q SCRAM-SHA-512 || fail "no credential named $2"
    password=$(new_password)
    set_password "$2" "$password"
    echo "credential $2: new password (shown once; the old one no longer opens a connection)"
    echo "password: $password"
    ;;
  revoke)
    [ $# = 2 ] || fail "usage: revoke NAME"
    valid_name "$2"
    # ACLs first: a session already open can then do nothing, until re-authentication closes it.
    for prefix in $(acl_prefixes "$2"); do
      in_kafka /opt/kafka/bin/kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --remove --force --allow-principal "User:$2" \
        --operation WRITE --topic "$prefix" --resource-pattern-type prefixed >/dev/null
    done
    in_kafka /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --alter --entity-type users --entity-name "$2" \
      --delete-config SCRAM-SHA-512 >/dev/null
    echo "credential $2 revoked: its ACLs and SCRAM credential are gone"
    ;;
  list)
    in_kafka /opt/kafka/bin/kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --describe --entity-type users
    in_kafka /opt/kafka/bin/kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --list
    ;;
  *)
    fail "usage: create FEDERATION NAME | rotate NAME | revoke NAME | list"
    ;;
esac
