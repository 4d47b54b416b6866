"""Business handlers, one module per area. They see only neutral messages."""
