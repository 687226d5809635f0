"""Pure: the assignment state machine, the partner view of a ticket, minimisation,
statistics, keys and signatures. No I/O, no clock of its own."""
