#!/bin/bash
# The official image's tool of the same name (ACLs: infra/compose/kafka-credentials.sh).
exec java -Xmx128m -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*' org.apache.kafka.tools.AclCommand "$@"
