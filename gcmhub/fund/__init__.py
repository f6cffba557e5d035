"""The start-up fund (paragraph 43(b)): proposals, and from issue 7 its ledger and calls."""
