"""The connection hub (paragraph 43(a)): requests, providers, offers, matching, workflow."""
