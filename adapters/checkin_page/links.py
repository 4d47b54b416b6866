"""Links to the check-in page: a token signed by the bot (itsdangerous) naming
the platform, the user, when it stops working and a nonce. The nonce is the
location message's id, so the durable inbox takes one position per link and
a second post of the same link is a duplicate, however fast it comes."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from domain.clock import Clock

SALT = "qudao-checkin-page"


@dataclass(frozen=True)
class Claim:
    platform: str
    user: str
    expires: int          # epoch seconds
    nonce: str


class PageLinks:
    def __init__(self, secret: str, public_url: str, clock: Clock):
        self._signer = URLSafeSerializer(secret, salt=SALT)
        self._base = public_url.rstrip("/")
        self._clock = clock

    def token_for(self, platform: str, user: str, minutes: int) -> str:
        expires = int(self._clock.now().timestamp()) + minutes * 60
        return self._signer.dumps({"p": platform, "u": user, "e": expires, "n": secrets.token_urlsafe(12)})

    def link_for(self, platform: str, user: str, minutes: int) -> str:
        return f"{self._base}/checkin/{self.token_for(platform, user, minutes)}"

    def read(self, token: str) -> tuple[Claim | None, str]:
        """The claim of a genuine, unexpired token, or None and why not."""
        try:
            data = self._signer.loads(token)
            claim = Claim(str(data["p"]), str(data["u"]), int(data["e"]), str(data["n"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None, "bad"
        if self._clock.now().timestamp() > claim.expires:
            return None, "expired"
        return claim, ""
