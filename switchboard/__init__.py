"""The ``switchboard`` command: demo, simulator, agent console, classifier, docs."""
