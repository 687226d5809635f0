"""Switchboard's three services. None of them imports another."""
