#!/bin/sh
# Publish one ViolationReported event to the organising platform with kcat (Debian/Ubuntu:
# apt-get install kcat). See docs/contract.md for every event type and field.
#
#   KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 FEDERATION=FSPMI sh publish-event.sh
#
# Keep EVENT_ID with the report in your system and pass the same one when you resend it: the
# platform then counts the case once. The JSON must stay on one line (kcat sends one message per
# line) and must not contain a tab (the key separator below).
set -eu

BOOTSTRAP=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
TOPIC=${ORGANISING_TOPIC_PREFIX:-}organising.violations.v1
EVENT_ID=${EVENT_ID:-$(cat /proc/sys/kernel/random/uuid)}
FEDERATION=${FEDERATION:-FSPMI}
CASE_ID=${CASE_ID:-case-fspmi-2026-0107}
WORKPLACE_ID=${WORKPLACE_ID:-wp-tuban-1}
# occurred_at with its offset (+07:00, WIB); reported_on as a plain date.
OCCURRED_AT=$(TZ=Asia/Jakarta date +%Y-%m-%dT%H:%M:%S%:z)
REPORTED_ON=${REPORTED_ON:-$(TZ=Asia/Jakarta date +%Y-%m-%d)}

EVENT=$(cat <<EOF | tr -d '\n'
{"event_id":"$EVENT_ID","event_type":"ViolationReported","schema_version":1,
"occurred_at":"$OCCURRED_AT","federation":"$FEDERATION","producer":"fspmi-advocacy",
"data":{"case_id":"$CASE_ID","sector":"cement","workplace_id":"$WORKPLACE_ID",
"region_code":"35.23","category":"union_busting","workers_affected":40,"women_affected":12,
"reported_on":"$REPORTED_ON","summary":"PUK officers transferred after the unit was founded"}}
EOF
)

# Key = the case's workplace_id (tab-separated from the value). Idempotence implies acks=all;
# kcat waits for the broker's acknowledgement before it exits, and exits with 1 when it cannot
# reach the broker at all. Look at its error output before marking the event sent.
printf '%s\t%s\n' "$WORKPLACE_ID" "$EVENT" |
  kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -K "$(printf '\t')" -X enable.idempotence=true

echo "published $EVENT_ID to $TOPIC" >&2
