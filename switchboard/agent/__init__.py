"""``switchboard agent --team T``: the in-house agents' view of their team's queue."""
