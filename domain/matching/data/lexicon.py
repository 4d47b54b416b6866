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
    "股分有限公司", "股分公司",       # the everyday typo of 股份
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
    (r"付属", "附属", "付属→附属"),            # the homophone people type for 附属 (fushu)
    (r"附([一二三四五六七八九十])院", r"第\1附属医院", "附N院→第N附属医院"),
    (r"([一二三四五六七八九十])附院", r"第\1附属医院", "N附院→第N附属医院"),
    (r"附院$", "附属医院", "附院→附属医院"),
    (r"市([一二三四五六七八九十])院$", r"市第\1人民医院", "市N院→市第N人民医院"),
    (r"市([一二三四五六七八九十])医院$", r"市第\1医院", "市N医院→市第N医院"),
    (r"(?<=[大医学])([一二三四五六七八九十])院$", r"第\1医院", "N院→第N医院"),
    # 湘雅二医院 / 湘雅二院: a hospital's own number without 第 (not 一: 统一, 唯一)
    (r"(?<![第0-9一二三四五六七八九十])([二三四五六七八九])医院$", r"第\1医院", "N医院→第N医院"),
    (r"(?<![第0-9一二三四五六七八九十市])([二三四五六七八九])院$", r"第\1医院", "N院→第N医院"),
    (r"省医$", "省人民医院", "省医→省人民医院"),
    (r"([省市])人医$", r"\1人民医院", "人医→人民医院"),
    (r"(?<!中)中医院$", "中医医院", "中医院→中医医院"),
    (r"妇幼保健医院$", "妇幼保健院", "妇幼保健医院→妇幼保健院"),
    # The academy's institutes are all 研究所, so its X所 is short for X研究所;
    # elsewhere 所 is a real type (派出所, 诊所, 事务所) and stays.
    (r"^(中国科学院|中科院|中国医学科学院|医科院|中国农业科学院|农科院|中国社会科学院|社科院)(.+?)(?<!研究)所$", r"\1\2研究所", "院属X所→X研究所"),
)

# --- other scripts --------------------------------------------------------
# English words and phrases of organisation names, as the pinyin of the
# Chinese words they translate, so that an English or pinyin spelling and a
# Chinese name can be read on one footing (roman.py): Peking University
# First Hospital ≈ 北京大学第一医院 ≈ Beijing Daxue Diyi Yiyuan.  Longest
# phrase first is the reader's job.  Only words whose translation is fixed
# are here; official English names that translate freely (Peking Union
# Medical College Hospital) are matched through the customer's stored
# English name instead.
LATIN_PHRASES: dict[str, str] = {
    "HOSPITAL": "yiyuan", "HOSP": "yiyuan", "YIYUAN": "yiyuan",
    "PEOPLES": "renmin", "PEOPLE": "renmin",
    "CENTRAL": "zhongxin", "CENTER": "zhongxin", "CENTRE": "zhongxin",
    "GENERAL HOSPITAL": "zongyiyuan",
    "MEDICAL UNIVERSITY": "yikedaxue", "MEDICAL COLLEGE": "yixueyuan", "MEDICAL SCHOOL": "yixueyuan",
    "MEDICAL CENTER": "yixuezhongxin", "MEDICAL CENTRE": "yixuezhongxin",
    "UNIVERSITY": "daxue", "COLLEGE": "xueyuan", "AFFILIATED": "fushu",
    "TRADITIONAL CHINESE MEDICINE UNIVERSITY": "zhongyiyaodaxue", "TCM UNIVERSITY": "zhongyiyaodaxue",
    "TRADITIONAL CHINESE MEDICINE": "zhongyi", "CHINESE MEDICINE": "zhongyi", "TCM": "zhongyi",
    "INTEGRATED TRADITIONAL CHINESE AND WESTERN MEDICINE": "zhongxiyijiehe",
    "INTEGRATED CHINESE AND WESTERN MEDICINE": "zhongxiyijiehe",
    "MATERNAL AND CHILD HEALTH CARE HOSPITAL": "fuyoubaojianyuan",
    "MATERNAL AND CHILD HEALTH HOSPITAL": "fuyoubaojianyuan",
    "MATERNAL AND CHILD HEALTHCARE HOSPITAL": "fuyoubaojianyuan",
    "MATERNITY AND CHILD HEALTH CARE HOSPITAL": "fuyoubaojianyuan",
    "MATERNITY AND CHILD HEALTH HOSPITAL": "fuyoubaojianyuan",
    "WOMEN AND CHILDRENS": "funuertong", "WOMENS AND CHILDRENS": "funuertong", "WOMEN AND CHILDREN": "funuertong",
    "OBSTETRICS AND GYNECOLOGY": "fuchan", "OBSTETRICS AND GYNAECOLOGY": "fuchan",
    "CHILDRENS": "ertong", "CHILDREN": "ertong", "PEDIATRIC": "ertong",
    "CANCER": "zhongliu", "TUMOR": "zhongliu", "TUMOUR": "zhongliu", "ONCOLOGY": "zhongliu",
    "CHEST": "xiongke", "THORACIC": "xiongke", "PULMONARY": "feike",
    "STOMATOLOGICAL": "kouqiang", "STOMATOLOGY": "kouqiang", "DENTAL": "kouqiang",
    "EYE": "yanke", "OPHTHALMIC": "yanke", "OPHTHALMOLOGY": "yanke", "ENT": "erbihou",
    "ORTHOPEDIC": "guke", "ORTHOPAEDIC": "guke", "ORTHOPEDICS": "guke", "REHABILITATION": "kangfu",
    "CARDIOVASCULAR": "xinxueguanbing", "DERMATOLOGY": "pifubing", "INFECTIOUS DISEASES": "chuanranbing",
    "INFECTIOUS DISEASE": "chuanranbing", "PSYCHIATRIC": "jingshenbing", "MENTAL HEALTH": "jingshenweisheng",
    "COMMUNITY HEALTH SERVICE": "shequweishengfuwu", "CDC": "jibingyufangkongzhizhongxin",
    "BLOOD": "xueye", "EMERGENCY": "jijiu", "FIRST AID": "jijiu", "HEALTH COMMISSION": "weishengjiankangweiyuanhui",
    "CLINIC": "zhensuo", "PHARMACY": "yaofang", "DRUGSTORE": "yaodian", "RESEARCH INSTITUTE": "yanjiusuo",
    "INSTITUTE": "yanjiusuo", "BANK": "yinhang", "COMMERCIAL BANK": "shangyeyinhang",
    "RURAL COMMERCIAL BANK": "nongcunshangyeyinhang", "AGRICULTURAL": "nongye", "CONSTRUCTION": "jianshe",
    "INDUSTRIAL AND COMMERCIAL": "gongshang", "CHINA": "zhongguo",
    # words official English names translate rather than spell
    "UNION": "xiehe", "DRUM TOWER": "gulou", "WEST CHINA": "huaxi", "SUN YAT SEN": "zhongshan",
    "SUN YAT SEN MEMORIAL": "sunyixianjinian", "CENTRAL SOUTH": "zhongnan", "CAPITAL": "shoudu",
    "CHINA JAPAN FRIENDSHIP": "zhongriyouhao", "FRIENDSHIP": "youhao", "SOUTHERN": "nanfang",
    "MERCHANTS": "zhaoshang", "CHINA MERCHANTS": "zhaoshang", "COMMUNICATIONS": "jiaotong",
    "SCHOOL OF MEDICINE": "yixueyuan", "COLLEGE OF MEDICINE": "yixueyuan", "MEDICAL SCIENCES": "yixuekexue",
    "ACADEMY": "kexueyuan", "ACADEMY OF MEDICAL SCIENCES": "yixuekexueyuan",
    "CHINESE ACADEMY OF MEDICAL SCIENCES": "zhongguoyixuekexueyuan", "CHINESE ACADEMY OF SCIENCES": "zhongguokexueyuan",
    "UNIVERSITY OF SCIENCE AND TECHNOLOGY": "kejidaxue", "SCIENCE AND TECHNOLOGY": "keji",
    "UNIVERSITY OF TRADITIONAL CHINESE MEDICINE": "zhongyiyaodaxue", "UNIVERSITY OF CHINESE MEDICINE": "zhongyiyaodaxue",
    "HOSPITAL OF TRADITIONAL CHINESE MEDICINE": "zhongyiyiyuan", "HOSPITAL OF CHINESE MEDICINE": "zhongyiyiyuan",
    "HOSPITAL OF INTEGRATED TRADITIONAL CHINESE AND WESTERN MEDICINE": "zhongxiyijieheyiyuan",
    "CENTER FOR DISEASE CONTROL AND PREVENTION": "jibingyufangkongzhizhongxin",
    "PLA": "zhongguorenminjiefangjun", "CHINESE PLA": "zhongguorenminjiefangjun", "MEMORIAL": "jinian",
}
# English phrases holding "of" that are one name part: read before "of" turns a name around.
LATIN_OF_PHRASES: tuple[str, ...] = tuple(p for p in LATIN_PHRASES if " OF " in p)
# Words that say a trailing part of an English name is the parent institution
# (Zhongshan Hospital, Fudan University = 复旦大学附属中山医院): it goes first.
LATIN_PARENT_WORDS: frozenset[str] = frozenset({"UNIVERSITY", "COLLEGE", "SCHOOL", "ACADEMY", "SCIENCES"})
# English words of a company's trade that say what it does, not who it is (Huawei Technologies).
LATIN_INDUSTRY_WORDS: frozenset[str] = frozenset({
    "TECHNOLOGY", "TECHNOLOGIES", "TECH", "MEDICAL", "HEALTHCARE", "HEALTH", "ELECTRONICS", "ELECTRONIC", "BIO",
    "BIOMEDICAL", "BIOTECH", "PHARMACEUTICAL", "PHARMACEUTICALS", "PHARMA", "EQUIPMENT", "SYSTEMS", "SYSTEM",
    "INSTRUMENTS", "INSTRUMENT", "DEVICES", "DEVICE", "SCIENCE", "SCIENCES", "SCIENTIFIC", "INTERNATIONAL",
    "HOLDINGS", "HOLDING", "TRADING", "INDUSTRIES", "INDUSTRY", "DIAGNOSTICS", "IMAGING", "SOLUTIONS", "SOFTWARE",
    "NETWORK", "NETWORKS", "COMMUNICATION", "INFORMATION", "ENGINEERING", "SERVICES", "SUPPLY", "SUPPLIES",
})
# Official English names that translate freely, with the Chinese name they are (well-known
# hospitals whose English name is no reading of the Chinese one); looked up whole, legal
# forms and punctuation aside. Names that are read word by word (Ruijin Hospital, Beijing
# Tiantan Hospital) need no entry.
LATIN_WHOLE_NAMES: dict[str, str] = {
    "PEKING UNION MEDICAL COLLEGE HOSPITAL": "北京协和医院", "PUMCH": "北京协和医院",
    "JIANGSU PROVINCE HOSPITAL": "江苏省人民医院", "JIANGSU PROVINCIAL HOSPITAL": "江苏省人民医院",
    "HAINAN GENERAL HOSPITAL": "海南省人民医院", "SHANGHAI GENERAL HOSPITAL": "上海市第一人民医院",
    "CHINESE PLA GENERAL HOSPITAL": "中国人民解放军总医院", "PLA GENERAL HOSPITAL": "中国人民解放军总医院",
    "301 HOSPITAL": "中国人民解放军总医院", "WUHAN UNION HOSPITAL": "华中科技大学同济医学院附属协和医院",
    "UNION HOSPITAL TONGJI MEDICAL COLLEGE": "华中科技大学同济医学院附属协和医院",
    "XIJING HOSPITAL": "空军军医大学西京医院", "SIR RUN RUN SHAW HOSPITAL": "浙江大学医学院附属邵逸夫医院",
    "SUN YAT SEN MEMORIAL HOSPITAL": "中山大学孙逸仙纪念医院",
}
# Ordinal words, read as the 第N of a Chinese name.
LATIN_ORDINALS: dict[str, int] = {
    "FIRST": 1, "SECOND": 2, "THIRD": 3, "FOURTH": 4, "FIFTH": 5, "SIXTH": 6, "SEVENTH": 7, "EIGHTH": 8,
    "NINTH": 9, "TENTH": 10, "ELEVENTH": 11, "TWELFTH": 12, "1ST": 1, "2ND": 2, "3RD": 3,
    "DIYI": 1, "DIER": 2, "DISAN": 3, "DISI": 4, "DIWU": 5, "DILIU": 6, "DIQI": 7, "DIBA": 8, "DIJIU": 9,
    "DISHI": 10,
}
# Words a name's reading passes over: articles, and the words that say
# "city" / "province" after a place (Shanghai Municipal …, Hainan Provincial …).
LATIN_STOP_WORDS: frozenset[str] = frozenset({"THE", "AND", "&"})
LATIN_PLACE_SUFFIXES: frozenset[str] = frozenset({
    "CITY", "PROVINCE", "PROVINCIAL", "MUNICIPAL", "MUNICIPALITY", "DISTRICT", "COUNTY", "SHI", "SHENG", "QU",
    "NEW", "AREA", "AUTONOMOUS", "REGION", "PREFECTURE",
})
# Branch words after a place: … Beijing Branch = …北京分行 (a bank) / 北京分公司.
LATIN_BRANCH_WORDS: frozenset[str] = frozenset({"BRANCH", "SUBBRANCH", "SUB", "OFFICE", "CAMPUS"})
