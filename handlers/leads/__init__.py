"""Leads (线索): taken in from an import, another system or a rep's message,
handed to the best qualifying partner by the rules, taken back when nobody
answers in time or the deal made of it goes stale, and handed on."""
