"""Local WeCom simulator: a fake WeCom API and a browser chat page.

Nothing in the project can reach real WeCom, so tests and demos talk to this
instead: ``FakeWeComServer`` serves the fake API alone (for tests of the
bot's WeCom client); ``create_simulator_blueprint`` adds the chat page that
plays the users' side (signed, encrypted callbacks into the bot).
"""
from .chat import create_simulator_blueprint
from .server import FakeWeComServer
from .state import SimulatorState

__all__ = ["FakeWeComServer", "SimulatorState", "create_simulator_blueprint"]
