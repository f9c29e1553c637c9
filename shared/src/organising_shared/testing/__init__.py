"""Test fixtures: real Kafka and a real MongoDB-protocol store for integration tests."""
