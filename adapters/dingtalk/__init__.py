"""DingTalk (钉钉) adapter: an enterprise internal app's robot in HTTP mode, its
card platform cards, and the robot send APIs (platforms.md, "DingTalk")."""
