"""The simulated DingTalk: a fake of its APIs (new and old) that the bot's
DingTalk client talks to, the clients that play DingTalk's side of the robot
and card callbacks (signed JSON, sealed events), and a loopback server for
tests (``FakeDingTalkServer``), like the WeCom simulator beside it."""
from .callbacks import CardClickClient, RobotClient
from .fake_api import FakeDingTalkConfig, create_fake_api, create_fake_oapi
from .server import FakeDingTalkServer
from .state import DingTalkState

__all__ = ["CardClickClient", "DingTalkState", "FakeDingTalkConfig", "FakeDingTalkServer", "RobotClient",
           "create_fake_api", "create_fake_oapi"]
