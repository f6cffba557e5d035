"""Accounts: people with roles and country scope, sessions, API tokens, and the audit trail."""
