"""Qudao (渠道助手): the channel bot. ``create_app`` builds the Flask app."""


def create_app(*args, **kwargs):
    from bot.app import create_app as _create_app
    return _create_app(*args, **kwargs)
