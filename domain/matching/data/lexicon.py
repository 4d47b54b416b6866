"""Word lists for the customer-name matcher: legal forms, institution type
words, abbreviations, industry words.  Facts only; the logic lives in the
modules that import these.

Every list that is matched with `endswith`/`startswith` is consumed longest
first by its user, so order here is for reading, not for matching.
"""

from __future__ import annotations

# Chinese legal forms, removed from the end of a name (repeatedly: "集团股份
# 有限公司" is 集团 + 股份有限公司).  A legal form never tells two customers
# apart: 青岛海尔股份有限公司 and 青岛海尔 are the same counterparty.
LEGAL_SUFFIXES_CN: tuple[str, ...] = (
    "股份有限公司", "有限责任公司", "有限公司", "股份公司", "责任公司", "总公司",
    "公司", "有限合伙", "特殊普通合伙", "普通合伙", "合伙企业", "个人独资企业",
)

# 集团 is stripped like a legal form but remembered: a group and one of its
# companies are related, not certainly the same customer.
GROUP_WORDS_CN: tuple[str, ...] = ("集团",)

# Bracket contents that are legal notes, dropped without meaning anything.
BRACKET_NOTES: frozenset[str] = frozenset({
    "有限合伙", "普通合伙", "特殊普通合伙", "筹", "筹建", "筹备", "有限公司",
    "股份有限公司",
})

# Latin legal forms (after upper-casing and splitting on punctuation).
LEGAL_TOKENS_LATIN: frozenset[str] = frozenset({
    "CO", "LTD", "LIMITED", "COMPANY", "CORP", "CORPORATION", "INC",
    "INCORPORATED", "LLC", "PLC", "GMBH", "AG", "SA", "SAS", "BV", "NV", "PTE",
    "PTY", "LLP", "LP", "KK", "SRL", "SPA",
})
GROUP_TOKENS_LATIN: frozenset[str] = frozenset({"GROUP"})

# Institution type words a name ends with.  Different type words mean
# different institutions (医院 vs 医学院, 胸科医院 vs 肺科医院).  Spelling
# variants (中医院, 妇幼保健医院) are rewritten by ABBREV_PATTERNS first.
TYPE_WORDS: tuple[str, ...] = (
    # hospitals
    "医院", "人民医院", "中心医院", "中医医院", "中西医结合医院", "总医院",
    "妇幼保健院", "妇幼保健计划生育服务中心", "妇幼保健服务中心", "妇幼保健中心",
    "妇幼保健所", "妇女儿童医院", "妇产医院", "儿童医院", "肿瘤医院", "胸科医院",
    "肺科医院", "心血管病医院", "口腔医院", "眼科医院", "耳鼻喉医院", "皮肤病医院",
    "精神病医院", "传染病医院", "骨科医院", "康复医院", "骨伤医院",
    # other health bodies
    "卫生院", "社区卫生服务中心", "卫生服务中心", "疾病预防控制中心", "急救中心",
    "抢救中心", "血液中心", "中心血站", "血站", "医学中心", "精神卫生中心",
    "卫生健康委员会", "卫生局", "医疗保障局", "诊所", "门诊部", "药房", "药店",
    "研究所", "研究院", "中心",
    # education
    "医学院", "医科大学", "中医药大学", "大学", "学院",
    # finance
    "银行",
)

# Type words that are names one institution has carried.  The 2013 reform
# merged each county's 妇幼保健院 (once 妇幼保健所) with its family-planning
# service into a 妇幼保健计划生育服务中心; people and old records use either.
# Between these a type difference means "possibly the same", not "distinct".
SAME_INSTITUTION_TYPES: tuple[frozenset[str], ...] = (
    frozenset({"妇幼保健院", "妇幼保健计划生育服务中心", "妇幼保健服务中心", "妇幼保健中心",
               "妇幼保健所"}),
)

# A trailing part after one of these anchors and ending with one of the
# branch suffixes is a branch: 招商银行|北京分行, 中国银行股份有限公司|北京市分行.
BRANCH_SUFFIXES: tuple[str, ...] = (
    "分行", "支行", "分公司", "分院", "院区", "分中心", "营业部", "办事处",
    "分理处", "分所", "分部", "校区", "分店",
)
BRANCH_ANCHORS: tuple[str, ...] = (
    "股份有限公司", "有限责任公司", "有限公司", "公司", "银行", "医院", "集团",
    "大学", "学院", "中心",
)

# Words in the body of a name that say what a company does, not who it is.
# 深圳迈瑞生物医疗电子 and 迈瑞医疗 share the trade name (字号) 迈瑞.
INDUSTRY_WORDS: tuple[str, ...] = (
    "生物医疗电子", "医疗器械", "医疗设备", "医疗科技", "生物科技", "生物技术",
    "生物医药", "生物工程", "信息技术", "网络科技", "电子科技", "智能科技",
    "医疗", "医药", "药业", "制药", "生物", "电子", "科技", "技术", "器械", "设备",
    "信息", "网络", "软件", "通讯", "通信", "电器", "电气", "贸易", "商贸",
    "实业", "投资", "控股", "发展", "工程", "咨询", "服务", "管理", "健康",
    "仪器", "材料", "化工", "国际", "股份", "医学", "诊断", "影像", "智能",
)

# An extra part ending like this names a parent institution:
# 首都医科大学附属|北京朝阳医院, 中国医学科学院|北京协和医院.
INSTITUTION_MARKERS: tuple[str, ...] = (
    "附属", "大学", "学院", "科学院", "医学院", "医学部", "集团", "医学中心",
    "总院", "医科大学", "研究院",
)

# Extra words that add nothing when one side has them and the other not.
FILLER_WORDS: frozenset[str] = frozenset({"附属", "医学院附属", "大学附属"})

# Body words that leave a name generic: with them only the place tells the
# institution apart (河北省人民医院 vs 石家庄市人民医院).
GENERIC_BODIES: frozenset[str] = frozenset({
    "", "市立", "省立", "县立", "区立", "市", "省", "县", "区", "市属", "省属",
})

# --- abbreviations ------------------------------------------------------
# Whole-name short forms that need no context.
ABBREV_WHOLE: dict[str, str] = {
    "北医三院": "北京大学第三医院",
    "北大医院": "北京大学第一医院",
    "北大人民医院": "北京大学人民医院",
    "协和医学院": "北京协和医学院",
}

# Short forms of institutions, expanded only at the start of the body
# (after any place words) and only when the next text is not in `not_before`
# -- 北大荒 is a farm group, not 北京大学; 复旦大学 must not become
# 复旦大学大学.  `only_before`, when given, is a whitelist of what may follow.
# (short, full, not_before, only_before)
ABBREV_START: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("北大", "北京大学", ("荒", "仓", "街", "门"), ()),
    ("清华", "清华大学", ("大学", "同方", "紫光", "园"), ()),
    ("浙大", "浙江大学", (), ()),
    ("复旦", "复旦大学", ("大学",), ()),
    ("吉大", "吉林大学", (), ()),
    ("川大", "四川大学", (), ()),
    ("中大", "中山大学", ("医院",), ("附", "第", "一", "二", "三", "四", "五", "六",
                                  "七", "八", "孙逸仙", "肿瘤", "眼科", "口腔")),
    ("华西", "四川大学华西", (), ("医院", "口腔", "第二医院", "第四医院", "妇产",
                               "附", "医学", "临床", "厦门医院", "天府医院")),
    ("中科院", "中国科学院", (), ()),
    ("医科院", "中国医学科学院", (), ()),
    ("中国医大", "中国医科大学", (), ()),
    ("哈医大", "哈尔滨医科大学", (), ()),
    ("郑大", "郑州大学", (), ("附", "第", "一", "二", "三", "五")),
    ("苏大", "苏州大学", (), ("附", "第", "一", "二", "儿童")),
    ("山大", "山东大学", (), ("附", "第", "齐鲁", "二院", "第二")),
    ("西交大", "西安交通大学", (), ()),
    ("上交大", "上海交通大学", (), ()),
    ("南医大", "南京医科大学", (), ()),
    ("温医大", "温州医科大学", (), ()),
    ("重医大", "重庆医科大学", (), ()),
    ("重医", "重庆医科大学", (), ("附", "第", "一", "二", "三", "儿童", "口腔")),
)

# Rewrites applied anywhere in the name (regex, replacement, label).  Each
# turns a colloquial spelling into the official one; none of them can make
# two different official names equal.
ABBREV_PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"卫健委", "卫生健康委员会", "卫健委→卫生健康委员会"),
    (r"附([一二三四五六七八九十])院", r"第\1附属医院", "附N院→第N附属医院"),
    (r"([一二三四五六七八九十])附院", r"第\1附属医院", "N附院→第N附属医院"),
    (r"附院$", "附属医院", "附院→附属医院"),
    (r"市([一二三四五六七八九十])院$", r"市第\1人民医院", "市N院→市第N人民医院"),
    (r"市([一二三四五六七八九十])医院$", r"市第\1医院", "市N医院→市第N医院"),
    (r"(?<=[大医学])([一二三四五六七八九十])院$", r"第\1医院", "N院→第N医院"),
    (r"省医$", "省人民医院", "省医→省人民医院"),
    (r"([省市])人医$", r"\1人民医院", "人医→人民医院"),
    (r"(?<!中)中医院$", "中医医院", "中医院→中医医院"),
    (r"妇幼保健医院$", "妇幼保健院", "妇幼保健医院→妇幼保健院"),
    # The academy's institutes are all 研究所, so its X所 is short for X研究所;
    # elsewhere 所 is a real type (派出所, 诊所, 事务所) and stays.
    (r"^(中国科学院|中科院|中国医学科学院|医科院|中国农业科学院|农科院|中国社会科学院|社科院)(.+?)(?<!研究)所$", r"\1\2研究所", "院属X所→X研究所"),
)
