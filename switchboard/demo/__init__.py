"""``switchboard demo``: the Black Friday week through the real services on a scaled
clock, with live counters, a terminal summary, the books checked, and an HTML report.

Modules: ``plan`` (what is played, pure), ``actors`` (connectors and partner staffing),
``outcomes`` and ``figures`` (the topics folded into figures, pure), ``reader`` (the
topics), ``memory`` (peak RSS), ``live`` (progress and counters), ``summary`` (terminal),
``report`` (HTML), ``run`` (orchestration).
"""
