#!/bin/sh
# Publish one ViolationReported through your federation's ingress topic with kcat, over TLS with
# the SCRAM-SHA-512 credential the KSPI operator gave your system (docs/federations.md).
#
#   KAFKA_BOOTSTRAP_SERVERS=kafka.organising.example:9094 KAFKA_CA_FILE=kspi-ca.pem \
#   KAFKA_USERNAME=fspmi-advocacy KAFKA_PASSWORD='…' FEDERATION=FSPMI sh federation-publish.sh
#
# The credentials go to kcat in a configuration file readable by you only (-F), not on its
# command line, where `ps` would show the password to every user of the machine.
set -eu

BOOTSTRAP=${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS to the federation listener of the platform}
: "${KAFKA_USERNAME:?set KAFKA_USERNAME}" "${KAFKA_PASSWORD:?set KAFKA_PASSWORD}" "${KAFKA_CA_FILE:?set KAFKA_CA_FILE}"
FEDERATION=${FEDERATION:-FSPMI}
TOPIC=${ORGANISING_TOPIC_PREFIX:-}organising.ingress.$FEDERATION.v1
EVENT_ID=${EVENT_ID:-$(cat /proc/sys/kernel/random/uuid)}
# A case id in your federation's namespace: case-<federation, lower case>-… (or <federation>-…).
NAMESPACE=$(printf '%s' "$FEDERATION" | tr 'A-Z' 'a-z')
CASE_ID=${CASE_ID:-case-$NAMESPACE-2026-0107}
WORKPLACE_ID=${WORKPLACE_ID:-wp-tuban-1}
OCCURRED_AT=$(TZ=Asia/Jakarta date +%Y-%m-%dT%H:%M:%S%:z)
REPORTED_ON=${REPORTED_ON:-$(TZ=Asia/Jakarta date +%Y-%m-%d)}

EVENT=$(cat <<JSON | tr -d '\n'
{"event_id":"$EVENT_ID","event_type":"ViolationReported","schema_version":1,
"occurred_at":"$OCCURRED_AT","federation":"$FEDERATION","producer":"$KAFKA_USERNAME",
"data":{"case_id":"$CASE_ID","sector":"cement","workplace_id":"$WORKPLACE_ID",
"region_code":"35.23","category":"union_busting","workers_affected":40,"women_affected":12,
"reported_on":"$REPORTED_ON"}}
JSON
)

CONFIG=$(umask 077 && mktemp)
trap 'rm -f "$CONFIG"' EXIT
cat > "$CONFIG" <<CONF
security.protocol=SASL_SSL
sasl.mechanisms=SCRAM-SHA-512
sasl.username=$KAFKA_USERNAME
sasl.password=$KAFKA_PASSWORD
ssl.ca.location=$KAFKA_CA_FILE
enable.idempotence=true
CONF

# Key = the case's workplace_id, tab-separated from the value; kcat waits for the acknowledgement
# and exits non-zero when it cannot deliver (a refused login, a topic you may not write).
printf '%s\t%s\n' "$WORKPLACE_ID" "$EVENT" |
  kcat -P -F "$CONFIG" -b "$BOOTSTRAP" -t "$TOPIC" -K "$(printf '\t')"

echo "published $EVENT_ID to $TOPIC" >&2
