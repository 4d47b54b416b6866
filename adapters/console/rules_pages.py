"""Rules in the console: the active rule set and its history as readable
pages; editing as YAML (admins) with validation errors shown in place; a draft
compared with the active version (a diff), replayed against the last N days
(what-if, with a link to each case), then activated or discarded. The rules
capability does the work through named operations."""
from __future__ import annotations

import difflib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from adapters.console.auth import admin_only
from adapters.console.env import ConsoleEnv
from adapters.console.views import int_arg, refused, viewer_id
from chat import operations
from chat.operations import Refused
from domain.rules.store import as_yaml
from models import RuleDraft, RuleDraftStatus, RuleSet

CASE_ENDPOINT = {"registration": "console.registration", "order": "console.order",
                 "special_price": "console.special_price", "extension": "console.extension"}


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs: kind is add, del, hunk or same."""
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=3):
        if line.startswith(("+++", "---")):
            continue
        kind = "hunk" if line.startswith("@@") else "add" if line.startswith("+") else \
            "del" if line.startswith("-") else "same"
        out.append((kind, line))
    return out


def flatten(content, prefix: str = "") -> list[tuple[str, object]]:
    """Nested rule sections as readable rows: registration.tiering.threshold_yuan → 1000000."""
    if isinstance(content, dict):
        rows = []
        for key, value in content.items():
            rows += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return rows
    return [(prefix, content)]


def case_link(case) -> str:
    return url_for(CASE_ENDPOINT[case.kind], number=case.ref)


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    svc = env.svc

    def active_row(s) -> RuleSet | None:
        return s.execute(select(RuleSet).where(RuleSet.active.is_(True))
                         .order_by(RuleSet.version.desc())).scalars().first()

    @bp.get("/rules")
    def rules():
        with svc.factory() as s:
            row = active_row(s)
            drafts = list(s.execute(select(RuleDraft).where(RuleDraft.status == RuleDraftStatus.DRAFT)
                                    .order_by(RuleDraft.id.desc())).scalars())
        source = operations.call(svc, "rules.source", viewer_id())
        sections = {name: flatten(value) for name, value in (row.content if row else {}).items()}
        return render_template("console/rules.html", row=row, source=source, sections=sections, drafts=drafts)

    @bp.get("/rules/history")
    def rules_history():
        with svc.factory() as s:
            rows = list(s.execute(select(RuleSet).order_by(RuleSet.version.desc())).scalars())
            drafts = list(s.execute(select(RuleDraft).order_by(RuleDraft.id.desc()).limit(50)).scalars())
        return render_template("console/rules_history.html", rows=rows, drafts=drafts)

    @bp.get("/rules/v/<int:version>")
    def rules_version(version: int):
        with svc.factory() as s:
            row = s.execute(select(RuleSet).where(RuleSet.version == version)).scalar_one_or_none()
            if row is None:
                abort(404)
            prev = s.execute(select(RuleSet).where(RuleSet.version < version)
                             .order_by(RuleSet.version.desc())).scalars().first()
        source = operations.call(svc, "rules.source", viewer_id(), version=version)
        diff = diff_lines(as_yaml(prev.content), as_yaml(row.content), f"v{prev.version}", f"v{version}") \
            if prev else []
        return render_template("console/rules_version.html", row=row, prev=prev, source=source, diff=diff)

    @bp.route("/rules/edit", methods=["GET", "POST"])
    @admin_only
    def rules_edit():
        problem = None
        if request.method == "POST":
            text = request.form.get("yaml", "")
            try:
                draft_id = operations.call(svc, "rules.save_draft", viewer_id(), yaml_text=text)
                return redirect(url_for("console.rules_draft", draft_id=draft_id))
            except Refused as exc:
                problem = exc
        else:
            source = operations.call(svc, "rules.source", viewer_id())
            text = source.text if source else ""
        return render_template("console/rules_edit.html", text=text, problem=problem,
                               lines=text.splitlines()), (422 if problem else 200)

    def draft_page(draft_id: int, whatif=None, days: int = 30):
        with svc.factory() as s:
            draft = s.get(RuleDraft, draft_id)
            if draft is None:
                abort(404)
            row = active_row(s)
        diff = diff_lines(as_yaml(row.content) if row else "", as_yaml(draft.content),
                          f"v{row.version}" if row else "-", f"draft #{draft.id}")
        return render_template("console/rules_draft.html", draft=draft, active=row, diff=diff, whatif=whatif,
                               days=days, case_link=case_link)

    @bp.get("/rules/drafts/<int:draft_id>")
    @admin_only
    def rules_draft(draft_id: int):
        return draft_page(draft_id)

    @bp.post("/rules/drafts/<int:draft_id>/whatif")
    @admin_only
    def rules_whatif(draft_id: int):
        days = int_arg("days", 30, 1, 366)
        try:
            report = operations.call(svc, "rules.whatif", viewer_id(), draft_id=draft_id, days=days)
        except Refused as exc:
            refused(exc)
            return redirect(url_for("console.rules_draft", draft_id=draft_id))
        return draft_page(draft_id, whatif=report, days=days)

    @bp.post("/rules/drafts/<int:draft_id>/activate")
    @admin_only
    def rules_activate(draft_id: int):
        try:
            version = operations.call(svc, "rules.activate", viewer_id(), draft_id=draft_id)
        except Refused as exc:
            refused(exc)
            return redirect(url_for("console.rules_draft", draft_id=draft_id))
        flash(f"规则版本 {version} 已生效，所有进程即刻使用。(Rule version {version} is now active everywhere.)", "ok")
        return redirect(url_for("console.rules"))

    @bp.post("/rules/drafts/<int:draft_id>/discard")
    @admin_only
    def rules_discard(draft_id: int):
        try:
            operations.call(svc, "rules.discard", viewer_id(), draft_id=draft_id)
            flash(f"草稿 #{draft_id} 已放弃。(Draft discarded.)", "ok")
        except Refused as exc:
            refused(exc)
        return redirect(url_for("console.rules"))

