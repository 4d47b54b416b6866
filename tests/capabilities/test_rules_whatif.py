"""Rule drafts and what-if: the last days' traffic replayed under a candidate
rule set in a read-only transaction, then the draft activated (every worker
uses it at once) or discarded; each step in the audit trail with its actor."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chat import operations
from chat.operations import Refused
from domain.rules.store import as_yaml
from handlers.rules.drafts import source_of
from models import AuditEvent, Registration, RuleDraft, RuleSet
from tests.support.reading import last_text


def q(app):
    return app.extensions["qudao"]


def active_yaml(app) -> str:
    return source_of(q(app).services, None).text


def call(app, name, **params):
    return operations.call(q(app).services, name, "admin", **params)


def counts(app) -> tuple:
    with q(app).factory() as s:
        return tuple(s.execute(select(func.count()).select_from(t)).scalar()
                     for t in (Registration, AuditEvent, RuleSet, RuleDraft))


def register_three(driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京大学第一医院 监护 30万")
    driver.text("dealer_bj_li", "报备 首都医科大学附属北京朝阳医院 彩超 120万")


def test_registrations_made_without_a_quota_are_not_replayed_as_if_counted(app, driver, chat):
    draft = call(app, "rules.save_draft", yaml_text=active_yaml(app).replace("open_quota: 100", "open_quota: null"))
    call(app, "rules.activate", draft_id=draft)
    register_three(driver)
    back = call(app, "rules.save_draft", yaml_text=active_yaml(app).replace("open_quota: null", "open_quota: 1"))
    report = call(app, "rules.whatif", draft_id=back, days=30)
    assert dict(report.replayed) == {"registration": 3} and report.cases == [] and report.uncounted == 3
    assert report.summary("zh")[-1].startswith("另有 3 个报备提交时未设数量上限")
    assert report.summary("en")[-1].startswith("3 more registrations were made without a quota")
    assert report.to_dict()["uncounted"] == 3


def test_quota_change_lists_the_registrations_it_would_have_refused(app, driver, chat):
    register_three(driver)
    draft = call(app, "rules.save_draft", yaml_text=active_yaml(app).replace("open_quota: 100", "open_quota: 1"))
    before = counts(app)
    report = call(app, "rules.whatif", draft_id=draft, days=30)
    assert dict(report.replayed) == {"registration": 3}
    with q(app).factory() as s:
        numbers = s.execute(select(Registration.number).order_by(Registration.id)).scalars().all()
    assert [c.ref for c in report.cases] == numbers[1:]          # the first one was under any quota
    assert {(c.before.outcome, c.after.outcome, c.after.rule_id) for c in report.cases} == {
        ("accepted", "refused", "registration.quota"), ("approval", "refused", "registration.quota")}
    summary = report.summary("zh")
    assert "1 个报备将因报备数量上限被拒，而非直接通过" in summary
    assert "1 个报备将因报备数量上限被拒，而非交销售总监审批" in summary
    assert report.summary("en")[1].startswith("1 registrations would have been refused by quota instead of")
    # The replay wrote nothing; the run itself is one audit event naming who ran it.
    assert counts(app) == (before[0], before[1] + 1, before[2], before[3])
    with q(app).factory() as s:
        ev = s.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert (ev.actor, ev.action, ev.after["changed"]) == ("admin", "rules.whatif", 2)


def test_activated_draft_is_the_rule_every_new_registration_meets(app, driver, chat):
    register_three(driver)
    draft = call(app, "rules.save_draft", yaml_text=active_yaml(app).replace("open_quota: 100", "open_quota: 1"))
    version = call(app, "rules.activate", draft_id=draft)
    with q(app).factory() as s:
        assert q(app).services.rules.active(s).registration.open_quota == 1
        assert s.get(RuleDraft, draft).activated_version == version
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "rules.activated")).scalar_one()
    assert ev.actor == "admin" and ev.after["version"] == version and ev.before["version"] == version - 1
    driver.text("dealer_bj_li", "报备 天津医科大学总医院 彩超 50万")
    assert "达到上限 1 个" in last_text(chat, "dealer_bj_li")
    # The edited text, comments and all, is what the next edit starts from.
    assert "open_quota: 1 " in source_of(q(app).services, None).text
    with pytest.raises(Refused) as refused:
        call(app, "rules.activate", draft_id=draft)
    assert refused.value.code == "closed"


def test_a_draft_written_against_an_older_version_is_not_activated(app):
    first = call(app, "rules.save_draft", yaml_text=active_yaml(app).replace("open_quota: 100", "open_quota: 5"))
    second = call(app, "rules.save_draft", yaml_text=active_yaml(app).replace("protection_days: 90",
                                                                              "protection_days: 60"))
    call(app, "rules.activate", draft_id=second)
    with pytest.raises(Refused) as refused:
        call(app, "rules.activate", draft_id=first)       # would silently undo the protection change
    assert refused.value.code == "stale"
    call(app, "rules.discard", draft_id=first)
    with q(app).factory() as s:
        assert s.get(RuleDraft, first).status == "discarded"
        assert q(app).services.rules.active(s).registration.protection_days == 60


def test_a_draft_saved_before_numbers_were_read_strictly_is_refused_at_activation(app):
    """A draft stored while rule files were read laxly (protection_days: 7.5 passed as 7)
    is checked again when activated: a polite refusal, nothing activated, not a crash."""
    draft = call(app, "rules.save_draft", yaml_text=active_yaml(app).replace("protection_days: 90",
                                                                             "protection_days: 60"))
    with q(app).factory() as s, s.begin():
        row = s.get(RuleDraft, draft)
        row.content = {**row.content, "registration": {**row.content["registration"], "protection_days": 7.5}}
    before = counts(app)
    with pytest.raises(Refused) as refused:
        call(app, "rules.activate", draft_id=draft)
    assert refused.value.code == "rules" and "protection_days" in str(refused.value)
    assert counts(app) == before
    with q(app).factory() as s:
        assert s.get(RuleDraft, draft).status == "draft"
        assert q(app).services.rules.active(s).registration.protection_days == 90


@pytest.mark.parametrize("text, code, line", [
    ("registration:\n  open_quota: [1\n", "yaml", 3),
    ("registration:\n  open_quota: 0\n", "rules", None),
    ("registrations:\n  open_quota: 5\n", "rules", None),
    ("- just a list\n", "rules", None),
])
def test_bad_drafts_are_refused_with_where_and_why(app, text, code, line):
    before = counts(app)
    with pytest.raises(Refused) as refused:
        call(app, "rules.save_draft", yaml_text=text)
    assert refused.value.code == code and refused.value.details.get("line") == line
    assert counts(app) == before


def test_unchanged_rules_change_no_verdict(app, driver):
    register_three(driver)
    driver.text("dealer_bj_li", "订货 A100*2")
    with q(app).factory() as s:
        content = s.execute(select(RuleSet.content).where(RuleSet.active.is_(True))).scalar()
    draft = call(app, "rules.save_draft", yaml_text=as_yaml(content))
    report = call(app, "rules.whatif", draft_id=draft, days=30)
    assert report.cases == [] and report.replayed["order"] == 1 and report.replayed["registration"] == 3
    with pytest.raises(Refused) as refused:
        call(app, "rules.activate", draft_id=draft)
    assert refused.value.code == "same"


def test_special_price_ladder_change_is_listed(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A100*2")
    with q(app).factory() as s:
        from models import Order
        number = s.execute(select(Order.number)).scalar_one()
    driver.text("dealer_bj_li", f"特价申请 订单 {number} A100 单价 73300 理由：竞品报价低")
    ladder = ("special_price:\n  ladder:\n    - {up_to: 0.2, steps: [area_manager]}\n    - {steps: [director]}\n")
    text = active_yaml(app)
    start = text.index("special_price:")
    end = text.index("grant_valid_days")
    draft = call(app, "rules.save_draft", yaml_text=text[:start] + ladder + "  " + text[end:])
    report = call(app, "rules.whatif", draft_id=draft, days=30)
    [case] = report.cases
    assert case.kind == "special_price" and case.ref.startswith("SP")
    assert (case.before.approver, case.after.approver) == ("area_manager,director", "area_manager")
    assert report.summary("zh")[1] == "1 个特价申请将交区域经理审批，而非交区域经理 → 销售总监审批"


def test_an_extension_refused_for_want_of_visits_is_replayed_from_the_audit_trail(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    with q(app).factory() as s:
        number = s.execute(select(Registration.number)).scalar_one()
    driver.text("dealer_bj_li", f"延期 {number}")
    assert "拜访" in last_text(chat, "dealer_bj_li")           # refused: no verified visit
    text = active_yaml(app).replace("verified_visits: 1 ", "verified_visits: 0 ")
    report = call(app, "rules.whatif", draft_id=call(app, "rules.save_draft", yaml_text=text), days=30)
    [case] = report.cases
    assert (case.kind, case.ref) == ("extension", number)
    assert (case.before.outcome, case.after.outcome, case.after.approver) == ("refused", "approval", "area_manager")
