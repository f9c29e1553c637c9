"""The local stack without Docker: real Apache Kafka (KRaft) from Maven's jars, SecantusDB as the
MongoDB-protocol store, and the three services. Used by `make run`, the tests and CI alike."""
