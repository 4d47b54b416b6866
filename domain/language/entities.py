"""Is this token a customer (organisation), a department, or filler?

Customers are recognised by how Chinese organisation names end (…医院,
…有限公司); departments by …科/…室 (and …部/…中心 once a customer was seen,
because "体检中心" alone may well be the customer itself).
"""
from __future__ import annotations

import re

# Longest first is not required for endswith(), but keeps the list readable.
ORG_SUFFIXES: tuple[str, ...] = (
    "医院", "医学院", "医科大学", "大学", "学院", "有限责任公司", "有限公司", "股份公司", "公司", "集团",
    "中心", "卫生院", "保健院", "卫生所", "卫生室", "诊所", "门诊部", "研究所", "研究院", "委员会",
    "卫健委", "局", "厂", "银行", "分行", "支行", "学校", "中学", "小学", "院区", "分院", "总院",
    "血站", "急救站", "事务所", "办事处", "政府", "部队", "疗养院", "康复院", "养老院", "医务室",
    "集团公司", "商行", "药房", "药店",
)
# One-character suffixes need a longer name: "布局", "工厂" alone are not customers.
_SHORT_SUFFIXES = {"局", "厂"}

EN_ORG_WORDS = {
    "hospital", "university", "college", "company", "co", "co.", "ltd", "ltd.", "inc", "inc.",
    "group", "center", "centre", "clinic", "institute", "bank", "corporation", "corp", "corp.",
    "limited", "school", "foundation", "llc",
}

DEPT_WORDS = {
    "ICU", "CCU", "NICU", "PICU", "EICU", "RICU", "急诊", "门诊", "手术室", "导管室", "检验科",
    "病理科", "药剂科", "设备处", "采购办", "医学装备部", "信息中心",
}
_DEPT_ALWAYS = ("科", "室")
_DEPT_AFTER_CUSTOMER = ("部", "中心", "处", "办")

# Words that carry no field on their own once numbers/dates are taken out:
# "12月底签" -> "签", "预算120万左右" -> "左右", "约80万" -> "约".
FILLERS = {
    "签", "签约", "签单", "签合同", "成交", "左右", "上下", "前", "之前", "以前", "以内", "前后", "预计",
    "大约", "约", "大概", "估计", "预算", "金额", "的", "了", "吧", "呢", "啊", "哈", "谢谢", "麻烦",
    "请", "帮忙", "商机", "项目", "一下", "和", "及", "以及", "还有", "共", "共计", "合计", "总共",
    "差不多", "多", "万", "元", "台", "计划", "采购", "需求", "准备", "打算", "需要", "要", "想", "我",
    "我们", "客户", "左右签", "签约前", "前签", "可签", "能签", "落地", "到", "至", "在", "是", "为",
    "各", "一共", "this", "the", "of", "and", "about", "approx", "approx.", "around", "budget", "by",
    "in", "for", "at", "with", "expected", "close", "closing", "deal", "end", "amount", "qty", "units",
    "unit", "sets", "on", "before", "until", "~", "≈", "-", "--", "—", "/", "&",
}
# Words that make a piece of text a remark about the deal, not a name: who said
# what ("主任说…"), how things stand ("预算已经批了"), what comes next ("下周招标").
# None of them is part of an organisation's name.
_NOTE_MARKERS = re.compile(
    r"说|讲|表示|反馈|告诉|告知|觉得|认为|希望|要求|已经|已批|批了|批下来|吗|呢|吧|正在|打算|主任|科长|处长|经理|"
    r"老师|领导|竞品|招标|投标|装机|很急|着急|没问题|搞定|聊过|谈过|见了|见过")


def looks_like_note(text: str) -> bool:
    """"客户设备科主任说预算已经批了", "主任说下周招标": a remark, never a customer."""
    return bool(_NOTE_MARKERS.search(text))


_FILLER_RUN = re.compile(r"(?:签约|签单|签|成交|左右|上下|之前|以前|前后|预计|大约|大概|约|预算|落地|可|能|前|的|了)+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_TRAILING_BRACKETS = re.compile(r"(?:\([^()]{0,40}\))+$")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _core(token: str) -> str:
    """Name without trailing bracketed aliases: '协和医院(东单院区)' -> '协和医院'."""
    core = _TRAILING_BRACKETS.sub("", token)
    return core or token


def org_suffix(token: str) -> str | None:
    core = _core(token)
    for suffix in ORG_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            if suffix in _SHORT_SUFFIXES and len(core) < 3:
                continue
            return suffix
    return None


def is_org(token: str) -> bool:
    if has_cjk(token):
        return org_suffix(token) is not None
    words = token.lower().split()
    return len(words) >= 2 and any(w.strip(",.") in EN_ORG_WORDS for w in words)


def is_department(token: str, after_customer: bool) -> bool:
    if token.upper() in DEPT_WORDS or token in DEPT_WORDS:
        return True
    if not has_cjk(token) or not 2 <= len(token) <= 10:
        return False
    if token.endswith(_DEPT_ALWAYS):
        return True
    return after_customer and token.endswith(_DEPT_AFTER_CUSTOMER) and len(token) <= 8


def split_org_department(token: str) -> tuple[str, str] | None:
    """'北京协和医院心内科' -> ('北京协和医院', '心内科'); None when not of that shape."""
    if not has_cjk(token) or not (token.endswith(_DEPT_ALWAYS + _DEPT_AFTER_CUSTOMER)):
        return None
    # Departments are short, so only the last few cut points need checking;
    # the latest cut that leaves a department keeps the longest customer name.
    for cut in range(len(token) - 2, max(1, len(token) - 11), -1):
        org, dept = token[:cut], token[cut:]
        if is_department(dept, after_customer=True) and org_suffix(org):
            return org, dept
    return None


def is_filler(token: str) -> bool:
    t = token.strip().lower()
    if not t or t in FILLERS:
        return True
    if len(t) == 1 and not t.isalnum():
        return True
    if has_cjk(t) and len(t) == 1:  # no customer or department is one character
        return True
    return _FILLER_RUN.fullmatch(t) is not None
