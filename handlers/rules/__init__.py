"""The rule store as ops work on it: candidate rule sets (drafts) checked,
replayed against past traffic (what-if), then activated or discarded."""
