"""Pure routing logic. No I/O, no clock."""
