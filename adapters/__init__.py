"""Platform adapters: the only code that knows wechatpy, XML or DingTalk JSON."""
