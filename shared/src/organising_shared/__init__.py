"""Shared contracts and plumbing for the organising services. No business rules live here."""
