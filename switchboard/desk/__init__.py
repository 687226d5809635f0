"""The simulated support desk that plays the agents' and partners' side against the real
services: the demo and the chaos suite drive it on the scaled clock."""
