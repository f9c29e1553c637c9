#!/bin/bash
# Writes server.properties from the environment as the apache/kafka image does (KAFKA_LOG_DIRS ->
# log.dirs: "_" is ".", "__" is "_", "___" is "-"), formats the log directory with CLUSTER_ID on
# first start only, then runs the broker in the foreground.
set -euo pipefail
config=/opt/kafka/config/server.properties
: >"$config"
for variable in $(compgen -e); do
  case "$variable" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_LOG4J_OPTS) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  name=${variable#KAFKA_}
  name=${name,,}
  name=${name//___/-}
  name=${name//__/@}
  name=${name//_/.}
  name=${name//@/_}
  printf '%s=%s\n' "$name" "${!variable}" >>"$config"
done
# The official image's default when KAFKA_LOG_DIRS is unset: inside the container, lost with it.
grep -q '^log\.dirs=' "$config" || echo 'log.dirs=/tmp/kraft-combined-logs' >>"$config"
log_dir=$(sed -n 's/^log\.dirs=//p' "$config" | cut -d, -f1)
java=(java ${KAFKA_HEAP_OPTS:--Xmx512m} -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*')
if [ ! -e "$log_dir/meta.properties" ]; then
  echo "formatting $log_dir for cluster ${CLUSTER_ID:?CLUSTER_ID is not set}"
  "${java[@]}" kafka.tools.StorageTool format --cluster-id="$CLUSTER_ID" -c "$config"
fi
exec "${java[@]}" kafka.Kafka "$config"
