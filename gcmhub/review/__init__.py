"""Review of implementation: national plans, voluntary reviews, partnerships, capacity
development, progress on the 23 objectives, and the mechanism's report for a period."""
