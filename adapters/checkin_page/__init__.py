"""The check-in page: where a platform has no location messages (a DingTalk
robot receives none), 签到 sends a link to this page, served by the bot. It
reads the position in the chat client and posts it back as a neutral location
message, so the same geofence rules and flags apply as to a WeCom location."""
