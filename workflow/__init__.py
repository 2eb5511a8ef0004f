"""The domain of Missiva: calls, missions, submissions and their rules. Knows no HTTP."""
