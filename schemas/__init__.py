"""Switchboard's event contract: topics, events, channel payloads and the config file.

This package is the only business knowledge the services share. It imports
nothing from ``services`` or ``plumbing``.
"""
