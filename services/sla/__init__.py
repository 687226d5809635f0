"""SLA: a clock for every open ticket, warnings before breaches, breach events."""
