"""Router: picks the team for every ticket and keeps team loads."""
