"""Static tables for the customer-name matcher (gazetteer, lexicon)."""
