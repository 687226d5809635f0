"""Plumbing shared by the three services: settings, logging, clock, Kafka, HTTP, metrics.

No business logic lives here; the business contract is ``schemas``.
"""
