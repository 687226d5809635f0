"""Numbers and tables the traffic model is built from; no logic lives here."""
