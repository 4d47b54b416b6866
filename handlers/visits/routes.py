"""What visits answer: a location (check-in), 签到 / 签退 / 拜访小结, photos,
我的拜访, visit plans (计划 … / 我的计划, also "明天拜访计划…"), the photo
fetcher and the open-visit sweep, the morning plan and the evening reminder."""
from __future__ import annotations

from chat.messages import InboundKind
from chat.registry import Registry
from domain.language.field_reader import FieldOptions, fields_reader
from domain.language.readers import read_plan_days, read_visit_note
from domain.language.recognisers import plan_opening_with_day
from handlers.visits import checkins, photos, plans, sweep

A_CUSTOMER = fields_reader(FieldOptions(free_customer=True))


def install(registry: Registry) -> None:
    registry.command("checkin", run=checkins.checkin_command, reader=A_CUSTOMER,
                     words=("拜访签到", "签到", "到访", "打卡", "到了", "check in", "check-in", "checkin"))
    registry.command("checkout", run=checkins.checkout, reader=A_CUSTOMER,
                     words=("签退", "check out", "check-out", "checkout"))
    registry.command("visit_note", run=checkins.add_note, reader=read_visit_note,
                     words=("拜访小结", "拜访记录", "小结", "visit note", "visit-note"))
    registry.command("query", "my_visits", run=lambda ctx, parsed: checkins.my_visits(ctx),
                     words=("我的拜访", "我的拜访记录", "my visits", "my visit"), lookup=True, lists=True)
    registry.command("plan", run=plans.plan, reader=read_plan_days,
                     words=("拜访计划", "计划拜访", "计划", "visit plan", "plan"))
    registry.command("plan", "mine", run=plans.plan, reader=read_plan_days, lookup=True, lists=True,
                     words=("我的计划", "我的拜访计划", "my plans", "my plan", "my visit plan"))
    registry.opener(plan_opening_with_day(("plan", None), ("plan", "mine")))
    registry.not_commands("计划书")
    registry.on_message(InboundKind.LOCATION, checkins.on_location)
    registry.on_message(InboundKind.IMAGE, checkins.on_photo)
    registry.sweep("visit_photos", 30, photos.sweep)
    registry.sweep("open_visits", 300, sweep.sweep)
    registry.calendar_job("plan_morning", lambda r: r.schedule.plan_morning, plans.morning_messages)
    registry.calendar_job("evening_reminder", lambda r: r.schedule.evening_reminder, sweep.evening_reminders)
    registry.help("> 签到：发送位置（或 签到 客户名）　签退　拜访小结 …　发照片　我的拜访\n"
                  "> 计划 明天 拜访 客户A 客户B　我的计划",
                  "> visits: send your location (or 签到 <customer>) · 签退 · 拜访小结 … · photos · my visits\n"
                  "> plan tomorrow visit <customer>, <customer> · my plan",
                  roles=("rep", "dealer"))
