"""Pure SLA logic. No I/O; time is passed in."""
