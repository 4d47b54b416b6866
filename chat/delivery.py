"""The one error platform transports raise: whether trying again may help."""
from __future__ import annotations


class DeliveryError(Exception):
    def __init__(self, message: str, transient: bool):
        super().__init__(message)
        self.transient = transient
