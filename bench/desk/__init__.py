"""A discrete-event simulation of the support desk, for comparing routing policies in process.

Tickets come from the simulator's traffic (``intake``), teams are multi-server queues
with working hours (``teams``), a routing policy picks a team for each ticket
(``strategies``), and the engine (``engine``) plays partner offers, agents' work,
first responses and resolutions in simulated time, keeping the router's real load
view (``services.router.loadbook.LoadBook``) up to date as the service would.
"""
