"""Users [userid]: the members the bot serves (their account on the chat platforms) and their role."""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Row, Run, upsert
from handlers.imports.problems import RowProblem, said
from handlers.imports.refs import USERID, partners_by_ref, users_by_userid
from handlers.imports.regions import provinces
from models import Role, User

ROLES = {"dealer": Role.DEALER, "经销商": Role.DEALER, "manager": Role.MANAGER, "经理": Role.MANAGER,
         "区域经理": Role.MANAGER,
         "director": Role.DIRECTOR, "总监": Role.DIRECTOR, "销售总监": Role.DIRECTOR, "rep": Role.REP, "外勤": Role.REP,
         "销售代表": Role.REP, "admin": Role.ADMIN, "管理员": Role.ADMIN}
MAX_NAME = 100
MAX_TITLE = 50


class Users(Kind):
    name = "users"
    title_zh, title_en = "用户", "users"
    columns = (
        Column("userid", "账号", True, ("userid", "user_id", "成员账号", "企业微信账号", "钉钉账号"),
               "成员在聊天平台上的账号（userid），1–64 位字母、数字或 _-.@",
               "the member's userid on the chat platform: 1–64 of letters, digits, _-.@"),
        Column("name", "姓名", True, ("名字",), "姓名", "the person's name"),
        Column("role", "角色", True, (), "dealer/manager/director/rep/admin 或 经销商/区域经理/销售总监/外勤/管理员",
               "dealer/manager/director/rep/admin (经销商/区域经理/销售总监/外勤/管理员)"),
        Column("partner", "所属经销商", False, ("经销商", "经销商编码"), "经销商编码或名称；经销商角色必填，须已导入",
               "the partner's code or name; required for dealers, must exist"),
        Column("regions", "负责区域", False, ("区域",), "区域经理和外勤负责的省级区域，用 | 或 、 分隔",
               "province-level regions a manager or rep covers, separated by |"),
        Column("title", "职务", False, ("头衔",), "显示在审批卡片上的职务，如 北方区区域经理", "title shown on cards"),
    )

    def parse(self, number: int, c: dict) -> Row:
        userid = self.required(c, "userid", cells.text)
        if not USERID.fullmatch(userid):
            raise RowProblem(f"账号格式不对: {said(userid)} (bad userid: 1–64 of A-Z a-z 0-9 _ - . @)")
        name = self.required(c, "name", cells.text)
        role = self.required(c, "role", lambda v: cells.choice(v, ROLES, "角色", "role"))
        partner = self.cell(c, "partner", cells.text)
        if role == Role.DEALER and not partner:
            raise RowProblem("经销商角色须填写所属经销商 (a dealer needs a partner)")
        if len(name) > MAX_NAME:
            raise RowProblem(f"姓名过长 (name ≤ {MAX_NAME} characters)")
        values: dict = {"external_id": userid, "name": name, "role": role}
        if "regions" in c:
            values["regions"] = self.cell(c, "regions", lambda v: provinces(cells.items(v)))
        if "title" in c:
            values["title"] = (self.cell(c, "title", cells.text) or "")[:MAX_TITLE]
        refs = {"partner": partner} if "partner" in c else {}
        return Row(number, values, refs)

    def keys(self, row: Row) -> tuple:
        return (row.values["external_id"],)

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        partners = partners_by_ref(session, {r.refs["partner"] for r in rows if r.refs.get("partner")})
        have = users_by_userid(session, {r.values["external_id"] for r in rows})
        for row in rows:
            values = dict(row.values)
            if "partner" in row.refs:
                ref = row.refs["partner"]
                if ref and ref not in partners:
                    run.report.error(row.number, f"经销商不存在: {ref} (no partner with this code or name)")
                    continue
                values["partner_id"] = partners[ref].id if ref else None
            upsert(session, have.get(values["external_id"]), User, values, run.report)

    def example(self, demo: dict) -> dict[str, object]:
        u = next(u for u in demo["users"] if u["role"] == Role.DEALER)
        return {"userid": u["userid"], "name": u["name"], "role": Role.DEALER, "partner": u["partner"],
                "regions": "", "title": u.get("title", "")}
