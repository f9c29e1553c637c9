"""Federation credentials on the broker: SCRAM users and their ACLs (`organising-kafka-credentials`)."""
