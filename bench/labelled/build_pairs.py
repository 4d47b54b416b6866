"""Builds bench/data/match_pairs.tsv: labelled customer-name pairs, by category.

Run:  .venv/bin/python bench/labelled/build_pairs.py   (rewrites the file; deterministic)

``same``: one organisation written two ways (a correct verdict is duplicate or
possible: nothing is ever accepted as a new customer); ``diff``: two
organisations (a correct verdict is distinct). The categories are those of
issue 12. Organisations are real ones (hospitals, universities, banks,
companies); variants are written the ways people write them in chat and in
spreadsheets. The pairs are written from how names are used, not from the
matcher's rules; the matcher is judged on them (bench/bench_accuracy.py),
never tuned pair by pair.
"""
from __future__ import annotations

from pathlib import Path

from opencc import OpenCC

OUT = Path(__file__).resolve().parents[1] / "data" / "match_pairs.tsv"
T2T = OpenCC("s2t")

SAME, DIFF = "same", "diff"

# Hospitals: (full name, the city or province it is in, as people prefix it)
HOSPITALS = [
    ("北京协和医院", "北京"), ("北京大学第一医院", "北京"), ("北京大学第三医院", "北京"),
    ("北京大学人民医院", "北京"), ("首都医科大学附属北京天坛医院", "北京"), ("首都医科大学附属北京朝阳医院", "北京"),
    ("首都医科大学宣武医院", "北京"), ("中日友好医院", "北京"), ("北京积水潭医院", "北京"),
    ("上海交通大学医学院附属瑞金医院", "上海"), ("上海交通大学医学院附属仁济医院", "上海"),
    ("复旦大学附属中山医院", "上海"), ("复旦大学附属华山医院", "上海"), ("上海市第一人民医院", "上海"),
    ("上海市第六人民医院", "上海"), ("上海市第十人民医院", "上海"), ("上海市胸科医院", "上海"),
    ("中山大学附属第一医院", "广州"), ("中山大学孙逸仙纪念医院", "广州"), ("南方医科大学南方医院", "广州"),
    ("广东省人民医院", "广东"), ("广州市第一人民医院", "广州"), ("四川大学华西医院", "成都"),
    ("华中科技大学同济医学院附属同济医院", "武汉"), ("华中科技大学同济医学院附属协和医院", "武汉"),
    ("武汉大学人民医院", "武汉"), ("浙江大学医学院附属第一医院", "杭州"), ("浙江大学医学院附属第二医院", "杭州"),
    ("浙江省人民医院", "浙江"), ("江苏省人民医院", "江苏"), ("南京鼓楼医院", "南京"),
    ("东南大学附属中大医院", "南京"), ("苏州大学附属第一医院", "苏州"), ("山东大学齐鲁医院", "济南"),
    ("山东省立医院", "山东"), ("青岛大学附属医院", "青岛"), ("郑州大学第一附属医院", "郑州"),
    ("河南省人民医院", "河南"), ("中南大学湘雅医院", "长沙"), ("中南大学湘雅二医院", "长沙"),
    ("西安交通大学第一附属医院", "西安"), ("重庆医科大学附属第一医院", "重庆"), ("天津医科大学总医院", "天津"),
    ("天津市第一中心医院", "天津"), ("吉林大学白求恩第一医院", "长春"), ("中国医科大学附属第一医院", "沈阳"),
    ("哈尔滨医科大学附属第一医院", "哈尔滨"), ("福建医科大学附属协和医院", "福州"), ("厦门大学附属中山医院", "厦门"),
    ("安徽医科大学第一附属医院", "合肥"), ("南昌大学第一附属医院", "南昌"), ("广西医科大学第一附属医院", "南宁"),
    ("昆明医科大学第一附属医院", "昆明"), ("新疆医科大学第一附属医院", "乌鲁木齐"), ("兰州大学第一医院", "兰州"),
    ("河北医科大学第二医院", "石家庄"), ("山西医科大学第一医院", "太原"), ("海南省人民医院", "海南"),
    ("深圳市人民医院", "深圳"), ("杭州市第一人民医院", "杭州"), ("宁波市第一医院", "宁波"),
    ("无锡市人民医院", "无锡"), ("大连医科大学附属第一医院", "大连"), ("温州医科大学附属第一医院", "温州"),
]

COMPANIES = [
    "华为技术", "中兴通讯", "青岛海尔", "上海联影医疗科技", "深圳迈瑞生物医疗电子", "国药控股", "九州通医药集团",
    "上海医药集团", "华润医药商业集团", "东软医疗系统", "北京万东医疗科技", "乐普(北京)医疗器械",
    "鱼跃医疗设备", "迪安诊断技术集团", "金域医学检验集团", "新华医疗器械", "康泰医学系统", "理邦精密仪器",
    "开立医疗科技", "宝莱特医用科技", "阿里巴巴(中国)", "腾讯科技(深圳)", "联想(北京)", "京东方科技集团",
    "海康威视数字技术", "比亚迪", "宁德时代新能源科技", "美的集团", "格力电器", "三一重工",
]

LEGAL = ["股份有限公司", "有限公司", "有限责任公司", "股份公司"]


def add(rows, a, b, label, category):
    if a != b or category == "exact":
        rows.append((a, b, label, category))


def suffixes(rows):
    for i, name in enumerate(COMPANIES):
        x, y = LEGAL[i % 4], LEGAL[(i + 1) % 4]
        add(rows, name + x, name + y, SAME, "suffix")
        add(rows, name + x, name, SAME, "suffix")
    for name in ("北京同仁堂", "云南白药", "片仔癀药业", "华东医药", "恒瑞医药"):
        add(rows, name + "股份有限公司", name + "集团股份有限公司", SAME, "suffix")


def regions(rows):
    prefixed = [("北京协和医院", "北京市协和医院"), ("北京积水潭医院", "北京市积水潭医院"),
                ("上海市第六人民医院", "上海第六人民医院"), ("上海市胸科医院", "上海胸科医院"),
                ("广州市第一人民医院", "广州第一人民医院"), ("深圳市人民医院", "广东省深圳市人民医院"),
                ("杭州市第一人民医院", "浙江省杭州市第一人民医院"), ("无锡市人民医院", "江苏省无锡市人民医院"),
                ("广州市番禺区中心医院", "番禺区中心医院"), ("广州市番禺区中心医院", "广东省广州市番禺区中心医院"),
                ("北京市朝阳区妇幼保健院", "朝阳区妇幼保健院"), ("浙江省桐乡市第一人民医院", "桐乡市第一人民医院"),
                ("南京鼓楼医院", "南京市鼓楼医院"), ("宁波市第一医院", "浙江宁波市第一医院"),
                ("天津市第一中心医院", "天津第一中心医院"), ("海南省人民医院", "海南人民医院"),
                ("江苏省人民医院", "江苏人民医院"), ("北京朝阳医院", "北京市朝阳医院"),
                ("上海市第十人民医院", "上海第十人民医院"), ("苏州市立医院", "江苏省苏州市立医院"),
                ("青岛海尔股份有限公司", "海尔股份有限公司"), ("深圳迈瑞生物医疗电子股份有限公司", "迈瑞生物医疗电子股份有限公司"),
                ("温州医科大学附属第一医院", "浙江温州医科大学附属第一医院"), ("长沙市第一医院", "湖南省长沙市第一医院")]
    for a, b in prefixed:
        add(rows, a, b, SAME, "regions")
    other_city = [("北京协和医院", "武汉协和医院"), ("上海市第一人民医院", "杭州市第一人民医院"),
                  ("海南省人民医院", "河南省人民医院"), ("浙江省人民医院", "江苏省人民医院"),
                  ("广州市第一人民医院", "深圳市第一人民医院"), ("河北省人民医院", "石家庄市人民医院"),
                  ("苏州市立医院", "青岛市市立医院"), ("宁波市第一医院", "温州市第一医院"),
                  ("北京市中医医院", "天津市中医医院"), ("无锡市人民医院", "常州市人民医院"),
                  ("长沙市中心医院", "株洲市中心医院"), ("山东省立医院", "福建省立医院"),
                  ("成都市第三人民医院", "重庆市第三人民医院"), ("南京市儿童医院", "苏州市儿童医院"),
                  ("广东省人民医院", "广西壮族自治区人民医院"), ("哈尔滨市第一医院", "齐齐哈尔市第一医院")]
    for a, b in other_city:
        add(rows, a, b, DIFF, "regions")


def brackets(rows):
    same = [("联想（北京）有限公司", "联想(北京)有限公司"), ("（深圳）华大基因股份有限公司", "(深圳)华大基因股份有限公司"),
            ("福建医科大学附属协和医院", "福建医科大学附属协和医院（福建省协和医院）"),
            ("青岛大学附属医院", "青岛大学附属医院（青大附院）"), ("北京协和医院", "北京协和医院（东城区帅府园1号）"),
            ("乐普(北京)医疗器械股份有限公司", "乐普【北京】医疗器械股份有限公司"),
            ("阿里巴巴(中国)有限公司", "阿里巴巴（中国）有限公司"), ("腾讯科技(深圳)有限公司", "腾讯科技［深圳］有限公司"),
            ("四川大学华西医院", "四川大学华西医院（华西临床医学院）"),
            ("中国人民解放军总医院", "中国人民解放军总医院（301医院）"),
            ("北京天坛医院", "北京天坛医院(原北京市天坛医院)"), ("某某医疗科技有限公司（筹）", "某某医疗科技有限公司"),
            ("德清县妇幼保健院", "德清县妇幼保健院（德清县妇幼保健计划生育服务中心）"),
            ("上海联影医疗科技股份有限公司", "上海联影医疗科技股份有限公司（上海联影）"),
            ("渤海银行邢台分行", "渤海银行（邢台分行）"), ("宁波市第一医院", "宁波市第一医院（宁波一院）")]
    for a, b in same:
        add(rows, a, b, SAME, "brackets")
    diff = [("联想（北京）有限公司", "联想（上海）有限公司"), ("阿里巴巴（中国）有限公司", "阿里巴巴（杭州）有限公司"),
            ("腾讯科技（深圳）有限公司", "腾讯科技（北京）有限公司"), ("渤海银行（邢台分行）", "渤海银行（保定分行）"),
            ("乐普（北京）医疗器械股份有限公司", "乐普（深圳）医疗器械股份有限公司"),
            ("华润医药商业集团（北京）有限公司", "华润医药商业集团（天津）有限公司")]
    for a, b in diff:
        add(rows, a, b, DIFF, "brackets")


def traditional(rows):
    for name, _ in HOSPITALS[::2]:
        add(rows, name, T2T.convert(name), SAME, "traditional")
    for name in COMPANIES[:12]:
        add(rows, name + "有限公司", T2T.convert(name + "有限公司"), SAME, "traditional")
    # full width, spaces, case
    for a, b in [("北京协和医院", "北京 协和 医院"), ("上海市第六人民医院", "上海市 第六 人民医院"),
                 ("中山大学附属第一医院", "中山大学 附属第一医院"), ("Lenovo (Beijing) Co., Ltd.", "LENOVO BEIJING CO LTD"),
                 ("北京大学第三医院", "北京大学第３医院"), ("苏州大学附属第一医院", "苏州大学附属第1医院"),
                 ("华为技术有限公司", "华为技术有限公司 "), ("厦门大学附属中山医院", "厦门大学附属中山医院　")]:
        add(rows, a, b, SAME, "traditional")


def typos(rows):
    same = [("北京协和医院", "北京协合医院"), ("南京鼓楼医院", "南京古楼医院"), ("上海市第六人民医院", "上海市第六人名医院"),
            ("哈尔滨医科大学附属第一医院", "哈尔宾医科大学附属第一医院"), ("石家庄市第一医院", "石家装市第一医院"),
            ("洛阳市中心医院", "洛杨市中心医院"), ("苏州市立医院", "苏洲市立医院"), ("首都医科大学宣武医院", "首都医科大学宣五医院"),
            ("北京积水潭医院", "北京积水谭医院"), ("中日友好医院", "中日有好医院"), ("武汉大学人民医院", "武汉大学人民医圆"),
            ("四川大学华西医院", "四川大学华希医院"), ("深圳迈瑞生物医疗电子股份有限公司", "深圳迈锐生物医疗电子股份有限公司"),
            ("上海联影医疗科技股份有限公司", "上海联影医疗科枝股份有限公司"), ("青岛海尔股份有限公司", "青岛海而股份有限公司"),
            ("MEDTRONIC (SHANGHAI) LTD", "MEDTRONLC (SHANGHAI) LTD"), ("Siemens Healthineers Ltd.", "Siemens Healthineer Ltd."),
            ("江苏省人民医院", "江苏省人民医阮"), ("中南大学湘雅医院", "中南大学湘亚医院"), ("东软医疗系统股份有限公司", "东软医疗系统股分有限公司"),
            ("华为技术有限公司", "华伟技术有限公司"), ("鱼跃医疗设备股份有限公司", "鱼悦医疗设备股份有限公司")]
    for a, b in same:
        add(rows, a, b, SAME, "typos_homophones")
    diff = [("复旦大学附属中山医院", "复旦大学附属华山医院"), ("中兴通讯股份有限公司", "中兴新通讯有限公司"),
            ("苏州市立医院", "宿州市立医院"), ("泰州市人民医院", "台州市人民医院"), ("上海市胸科医院", "上海市肺科医院"),
            ("北京积水潭医院", "北京积水医院"), ("复旦大学附属中山医院", "复旦大学附属山医院")]
    for a, b in diff:
        add(rows, a, b, DIFF, "typos_homophones")


def abbreviations(rows):
    same = [("北京大学第三医院", "北医三院"), ("北京大学第一医院", "北大医院"), ("吉林大学白求恩第一医院", "吉大一院"),
            ("青岛大学附属医院", "青大附院"), ("中山大学附属第一医院", "中山一院"), ("中山大学附属第一医院", "中大附一院"),
            ("上海市第六人民医院", "上海六院"), ("上海市第十人民医院", "上海十院"), ("上海市第一人民医院", "上海市一院"),
            ("四川大学华西医院", "华西医院"), ("山东大学齐鲁医院", "齐鲁医院"), ("首都医科大学附属北京天坛医院", "北京天坛医院"),
            ("首都医科大学附属北京朝阳医院", "北京朝阳医院"), ("首都医科大学宣武医院", "宣武医院"),
            ("中国医学科学院阜外医院", "阜外医院"), ("中国医学科学院北京协和医院", "北京协和医院"),
            ("北京协和医院", "协和医院"), ("北京协和医院", "北京协和"), ("南京鼓楼医院", "鼓楼医院"),
            ("安徽医科大学第一附属医院", "安医大一附院"), ("郑州大学第一附属医院", "郑大一附院"),
            ("温州医科大学附属第一医院", "温医大附一院"), ("重庆医科大学附属第一医院", "重医附一院"),
            ("哈尔滨医科大学附属第一医院", "哈医大一院"), ("中国医科大学附属第一医院", "中国医大一院"),
            ("苏州大学附属第一医院", "苏大附一院"), ("浙江大学医学院附属第一医院", "浙大一院"),
            ("广东省人民医院", "广东省医"), ("江苏省人民医院", "江苏省人医"), ("西安交通大学第一附属医院", "西交大一附院"),
            ("南京医科大学第一附属医院", "南医大一附院"), ("山东大学第二医院", "山大二院"),
            ("杭州市第一人民医院", "杭州市一医院"), ("华为技术有限公司", "华为"), ("中兴通讯股份有限公司", "中兴"),
            ("深圳迈瑞生物医疗电子股份有限公司", "迈瑞医疗"), ("上海联影医疗科技股份有限公司", "联影医疗"),
            ("北京市卫生健康委员会", "北京市卫健委"), ("北京协和医院", "北京协和医院东院"),
            ("北京协和医院", "北京协和医院西院区"), ("中国科学院上海药物研究所", "中科院上海药物所"),
            ("德州市中医院", "德州市中医医院")]
    for a, b in same:
        add(rows, a, b, SAME, "abbreviations")
    diff = [("北京大学第三医院", "北医一院"), ("吉林大学白求恩第一医院", "吉大二院"), ("中山大学附属第一医院", "中山三院"),
            ("上海市第六人民医院", "上海十院"), ("北京协和医院", "武汉协和"), ("浙江大学医学院附属第一医院", "浙大二院"),
            ("北大荒集团", "北京大学"), ("东南大学附属中大医院", "中山大学附属第一医院")]
    for a, b in diff:
        add(rows, a, b, DIFF, "abbreviations")


def english_pinyin(rows):
    same = [("Beijing Xiehe Hospital", "北京协和医院"), ("Peking Union Medical College Hospital", "北京协和医院"),
            ("PUMCH", "北京协和医院"), ("Peking University First Hospital", "北京大学第一医院"),
            ("Peking University Third Hospital", "北京大学第三医院"), ("Peking University People's Hospital", "北京大学人民医院"),
            ("Shanghai Sixth People's Hospital", "上海市第六人民医院"), ("Shanghai No.6 People's Hospital", "上海市第六人民医院"),
            ("Shanghai Tenth People's Hospital", "上海市第十人民医院"), ("Shanghai Chest Hospital", "上海市胸科医院"),
            ("The First Affiliated Hospital of Sun Yat-sen University", "中山大学附属第一医院"),
            ("Sun Yat-sen University First Affiliated Hospital", "中山大学附属第一医院"),
            ("West China Hospital, Sichuan University", "四川大学华西医院"), ("Sichuan University West China Hospital", "四川大学华西医院"),
            ("Zhongshan Hospital, Fudan University", "复旦大学附属中山医院"), ("Huashan Hospital, Fudan University", "复旦大学附属华山医院"),
            ("Ruijin Hospital", "上海交通大学医学院附属瑞金医院"), ("Nanjing Drum Tower Hospital", "南京鼓楼医院"),
            ("Nanjing Gulou Hospital", "南京鼓楼医院"), ("Xiangya Hospital, Central South University", "中南大学湘雅医院"),
            ("The Second Xiangya Hospital of Central South University", "中南大学湘雅二医院"),
            ("Qilu Hospital of Shandong University", "山东大学齐鲁医院"), ("Shandong Provincial Hospital", "山东省立医院"),
            ("Guangdong Provincial People's Hospital", "广东省人民医院"), ("Jiangsu Province Hospital", "江苏省人民医院"),
            ("Zhejiang Provincial People's Hospital", "浙江省人民医院"), ("Henan Provincial People's Hospital", "河南省人民医院"),
            ("Hainan General Hospital", "海南省人民医院"), ("Shenzhen People's Hospital", "深圳市人民医院"),
            ("Tianjin Medical University General Hospital", "天津医科大学总医院"), ("Tianjin First Central Hospital", "天津市第一中心医院"),
            ("China-Japan Friendship Hospital", "中日友好医院"), ("Beijing Jishuitan Hospital", "北京积水潭医院"),
            ("Beijing Tiantan Hospital", "首都医科大学附属北京天坛医院"), ("Beijing Chaoyang Hospital", "北京朝阳医院"),
            ("Xuanwu Hospital Capital Medical University", "首都医科大学宣武医院"),
            ("Qingdao University Affiliated Hospital", "青岛大学附属医院"), ("The Affiliated Hospital of Qingdao University", "青岛大学附属医院"),
            ("The First Affiliated Hospital of Zhengzhou University", "郑州大学第一附属医院"),
            ("The First Hospital of Jilin University", "吉林大学白求恩第一医院"),
            ("Wuhan Union Hospital", "华中科技大学同济医学院附属协和医院"), ("Tongji Hospital", "华中科技大学同济医学院附属同济医院"),
            ("Renmin Hospital of Wuhan University", "武汉大学人民医院"), ("Hangzhou First People's Hospital", "杭州市第一人民医院"),
            ("Wuxi People's Hospital", "无锡市人民医院"), ("Fujian Medical University Union Hospital", "福建医科大学附属协和医院"),
            ("Zhongshan Hospital Xiamen University", "厦门大学附属中山医院"), ("Huawei Technologies Co., Ltd.", "华为技术有限公司"),
            ("Zhongxing Tongxun", "中兴通讯股份有限公司"), ("Qingdao Haier Co., Ltd.", "青岛海尔股份有限公司"),
            ("Shanghai United Imaging Healthcare Co., Ltd.", "上海联影医疗科技股份有限公司"),
            ("Shenzhen Mindray Bio-Medical Electronics Co., Ltd.", "深圳迈瑞生物医疗电子股份有限公司"),
            ("Sinopharm Group Co., Ltd.", "国药控股股份有限公司"), ("Shanghai Diliu Renmin Yiyuan", "上海市第六人民医院"),
            ("Beijing Xie He Yi Yuan", "北京协和医院"), ("Zhaoshang Yinhang Beijing Branch", "招商银行北京分行"),
            ("China Merchants Bank Beijing Branch", "招商银行北京分行"), ("Bank of China", "中国银行"),
            ("Industrial and Commercial Bank of China", "中国工商银行"), ("Agricultural Bank of China", "中国农业银行"),
            ("北京Xiehe医院", "北京协和医院"), ("Beijing协和医院", "北京协和医院"), ("北京协和Hospital", "北京协和医院"),
            ("Changzhi People's Hospital", "长治市人民医院"), ("Guangzhou Panyu Central Hospital", "广州市番禺区中心医院")]
    for a, b in same:
        add(rows, a, b, SAME, "english_pinyin")
    diff = [("Wuhan Xiehe Hospital", "北京协和医院"), ("Shanghai First People's Hospital", "上海市第六人民医院"),
            ("Peking University Third Hospital", "北京大学第一医院"), ("Hebei Provincial People's Hospital", "河南省人民医院"),
            ("Beijing Tiantan Hospital", "北京协和医院"), ("Huashan Hospital, Fudan University", "复旦大学附属中山医院"),
            ("The Second Affiliated Hospital of Sun Yat-sen University", "中山大学附属第一医院"),
            ("China Merchants Bank Shanghai Branch", "招商银行北京分行"), ("Bank of Communications", "中国银行"),
            ("Lenovo (Shanghai) Co., Ltd.", "联想（北京）有限公司"), ("Xiangya Hospital, Central South University", "中南大学湘雅二医院"),
            ("Beijing Xiehe Medical College", "北京协和医院"), ("Shanghai Pulmonary Hospital", "上海市胸科医院"),
            ("Shenzhen Second People's Hospital", "深圳市人民医院")]
    for a, b in diff:
        add(rows, a, b, DIFF, "english_pinyin")


def parents(rows):
    same = [("中国医学科学院北京协和医院", "北京协和医院"), ("首都医科大学附属北京天坛医院", "北京天坛医院"),
            ("南方医科大学南方医院", "南方医院"), ("华为技术有限公司", "华为技术有限公司（华为）"),
            ("国药控股股份有限公司", "国药控股集团"), ("九州通医药集团股份有限公司", "九州通医药股份有限公司")]
    for a, b in same:
        add(rows, a, b, SAME, "parent_subsidiary")
    diff = [("华为技术有限公司", "华为终端有限公司"), ("中国平安保险（集团）股份有限公司", "中国平安人寿保险股份有限公司"),
            ("国药控股股份有限公司", "国药控股北京有限公司"), ("上海医药集团股份有限公司", "上海医药分销控股有限公司"),
            ("阿里巴巴集团控股有限公司", "阿里健康信息技术有限公司"), ("腾讯控股有限公司", "腾讯音乐娱乐集团"),
            ("京东方科技集团股份有限公司", "北京京东方显示技术有限公司"), ("美的集团股份有限公司", "美的集团武汉制冷设备有限公司"),
            ("中国医药集团有限公司", "国药集团药业股份有限公司"), ("华润医药集团有限公司", "华润三九医药股份有限公司"),
            ("复星医药（集团）股份有限公司", "上海复星医疗（集团）有限公司"), ("中国医学科学院", "中国医学科学院肿瘤医院"),
            ("北京大学", "北京大学第一医院"), ("复旦大学", "复旦大学附属中山医院"), ("中山大学", "中山大学附属第一医院"),
            ("浙江大学", "浙江大学医学院附属第一医院"), ("四川大学", "四川大学华西医院"),
            ("中南大学", "中南大学湘雅医院"), ("新华医疗器械股份有限公司", "新华医疗器械（上海）有限公司")]
    for a, b in diff:
        add(rows, a, b, DIFF, "parent_subsidiary")


def sisters(rows):
    pairs = [("中山大学附属第一医院", "中山大学附属第三医院"), ("中山大学附属第一医院", "中山大学孙逸仙纪念医院"),
             ("复旦大学附属中山医院", "复旦大学附属华山医院"), ("复旦大学附属中山医院", "复旦大学附属儿科医院"),
             ("四川大学华西医院", "四川大学华西第二医院"), ("四川大学华西医院", "四川大学华西口腔医院"),
             ("中南大学湘雅医院", "中南大学湘雅二医院"), ("中南大学湘雅二医院", "中南大学湘雅三医院"),
             ("上海交通大学医学院附属瑞金医院", "上海交通大学医学院附属仁济医院"),
             ("上海交通大学医学院附属瑞金医院", "上海交通大学医学院附属新华医院"),
             ("北京大学第一医院", "北京大学第三医院"), ("北京大学第一医院", "北京大学人民医院"),
             ("北京大学第三医院", "北京大学口腔医院"), ("首都医科大学附属北京天坛医院", "首都医科大学附属北京朝阳医院"),
             ("首都医科大学宣武医院", "首都医科大学附属北京安贞医院"), ("浙江大学医学院附属第一医院", "浙江大学医学院附属第二医院"),
             ("浙江大学医学院附属第二医院", "浙江大学医学院附属邵逸夫医院"), ("华中科技大学同济医学院附属同济医院", "华中科技大学同济医学院附属协和医院"),
             ("吉林大学白求恩第一医院", "吉林大学白求恩第二医院"), ("西安交通大学第一附属医院", "西安交通大学第二附属医院"),
             ("大连医科大学附属第一医院", "大连医科大学附属第二医院"), ("郑州大学第一附属医院", "郑州大学第二附属医院"),
             ("安徽医科大学第一附属医院", "安徽医科大学第二附属医院"), ("重庆医科大学附属第一医院", "重庆医科大学附属儿童医院"),
             ("中国医学科学院阜外医院", "中国医学科学院肿瘤医院"), ("中国医学科学院北京协和医院", "中国医学科学院阜外医院"),
             ("南方医科大学南方医院", "南方医科大学珠江医院"), ("山东大学齐鲁医院", "山东大学第二医院"),
             ("温州医科大学附属第一医院", "温州医科大学附属第二医院"), ("哈尔滨医科大学附属第一医院", "哈尔滨医科大学附属第二医院"),
             ("苏州大学附属第一医院", "苏州大学附属儿童医院"), ("青岛大学附属医院", "青岛大学附属妇女儿童医院"),
             ("国药控股北京有限公司", "国药控股上海有限公司"), ("华润医药商业集团北京医药有限公司", "华润医药商业集团上海医药有限公司"),
             ("上海市第一人民医院", "上海市第十人民医院"), ("杭州市第一人民医院", "杭州市第三人民医院"),
             ("中国人民解放军总医院第一医学中心", "中国人民解放军总医院第三医学中心")]
    for a, b in pairs:
        add(rows, a, b, DIFF, "sister_institutions")


def branches(rows):
    same = [("招商银行北京分行", "招商银行股份有限公司北京分行"), ("招商银行北京分行", "招商银行北京市分行"),
            ("中国银行股份有限公司上海市分行", "中国银行上海分行"), ("渤海银行邢台分行", "渤海银行（邢台分行）"),
            ("国药控股股份有限公司北京分公司", "国药控股北京分公司"), ("中国移动通信集团浙江有限公司杭州分公司", "中国移动杭州分公司"),
            ("山西凯天德网络科技有限公司焦作分公司", "山西凯天德网络科技有限公司（焦作分公司）"),
            ("北京协和医院东院", "北京协和医院（东院）"), ("上海交通大学医学院附属瑞金医院北部", "上海交通大学医学院附属瑞金医院（北部）"),
            ("华为技术有限公司北京研究所", "华为技术有限公司北京研究所"), ("中国工商银行北京分行营业部", "中国工商银行股份有限公司北京分行营业部")]
    for a, b in same:
        add(rows, a, b, SAME, "branches")
    diff = [("招商银行北京分行", "招商银行上海分行"), ("中国银行上海市分行", "中国银行江苏省分行"),
            ("国药控股北京分公司", "国药控股上海分公司"), ("渤海银行邢台分行", "渤海银行保定分行"),
            ("中国工商银行北京分行", "中国工商银行北京西城支行"), ("中国建设银行杭州分行", "中国建设银行宁波分行"),
            ("中国移动杭州分公司", "中国移动宁波分公司"), ("平安银行深圳分行", "平安银行广州分行"),
            ("中国人寿保险股份有限公司北京市分公司", "中国人寿保险股份有限公司天津市分公司"),
            ("九州通医药集团北京分公司", "九州通医药集团湖北分公司"), ("北京协和医院东院", "北京协和医院西院"),
            ("上海市第六人民医院金山分院", "上海市第六人民医院东院")]
    for a, b in diff:
        add(rows, a, b, DIFF, "branches")


def districts(rows):
    diff = [("北京市朝阳区妇幼保健院", "北京市海淀区妇幼保健院"), ("广州市番禺区人民医院", "广州市花都区人民医院"),
            ("广州市番禺区中心医院", "广州市花都区人民医院"), ("上海市浦东新区人民医院", "上海市闵行区人民医院"),
            ("天津市和平区中医医院", "天津市河西区中医医院"), ("北京市朝阳区中医医院", "北京市东城区中医医院"),
            ("深圳市南山区人民医院", "深圳市宝安区人民医院"), ("重庆市渝中区人民医院", "重庆市江北区人民医院"),
            ("北京朝阳医院", "北京市朝阳区中医医院"), ("北京朝阳医院", "北京朝阳中西医结合急诊抢救中心"),
            ("杭州市西湖区人民医院", "杭州市上城区人民医院"), ("南京市鼓楼区中医院", "南京鼓楼医院"),
            ("成都市武侯区人民医院", "成都市锦江区人民医院"), ("北京市海淀区妇幼保健院", "北京市海淀医院"),
            ("上海市徐汇区中心医院", "上海市黄浦区中心医院"), ("武汉市江夏区第一人民医院", "武汉市黄陂区人民医院")]
    for a, b in diff:
        add(rows, a, b, DIFF, "districts")
    same = [("北京市朝阳区妇幼保健院", "朝阳区妇幼保健院"), ("广州市番禺区中心医院", "番禺区中心医院"),
            ("上海市浦东新区人民医院", "浦东新区人民医院"), ("深圳市南山区人民医院", "南山区人民医院"),
            ("天津市和平区中医医院", "和平区中医医院"), ("北京市海淀医院", "北京海淀医院"),
            ("北京市朝阳区双桥医院", "朝阳区双桥医院"), ("重庆市渝中区人民医院", "渝中区人民医院")]
    for a, b in same:
        add(rows, a, b, SAME, "districts")


def hard_negatives(rows):
    pairs = [("上海市第一人民医院", "上海市第六人民医院"), ("西安交通大学第一附属医院", "西安交通大学第二附属医院"),
             ("中兴通讯股份有限公司", "中兴新通讯有限公司"), ("苏州市立医院", "苏州市中医医院"), ("福建省立医院", "福建省肿瘤医院"),
             ("上海市胸科医院", "上海市肺科医院"), ("北京协和医院", "北京协和医学院"), ("厦门大学附属中山医院", "厦门大学附属第一医院"),
             ("青岛大学附属医院", "青岛市市立医院"), ("深圳市人民医院", "深圳市第二人民医院"), ("北京大学第一医院", "北京大学第三医院"),
             ("四川大学华西医院", "四川大学华西第二医院"), ("中国农业银行", "中国银行"), ("中国工商银行", "中国建设银行"),
             ("上海联影医疗科技股份有限公司", "上海联影智能医疗科技有限公司"), ("华为技术有限公司", "华为软件技术有限公司"),
             ("北京积水潭医院", "北京天坛医院"), ("南京鼓楼医院", "南京市第一医院"), ("广东省人民医院", "广东省中医院"),
             ("广州市第一人民医院", "广州市妇女儿童医疗中心"), ("北京安贞医院", "北京安定医院"), ("北京同仁医院", "北京同仁堂"),
             ("天津医科大学总医院", "天津医科大学肿瘤医院"), ("河北医科大学第二医院", "河北医科大学第四医院"),
             ("海南省人民医院", "海南省妇女儿童医学中心"), ("无锡市人民医院", "无锡市第二人民医院"),
             ("宁波市第一医院", "宁波市第二医院"), ("温州医科大学附属第一医院", "温州医科大学附属眼视光医院"),
             ("山东省立医院", "山东省千佛山医院"), ("郑州大学第一附属医院", "郑州人民医院"),
             ("迈瑞医疗", "迈克生物"), ("鱼跃医疗", "鱼跃科技"), ("北京万东医疗科技股份有限公司", "北京万东鼎立医疗设备有限公司"),
             ("新华医疗", "新华制药"), ("乐普医疗", "乐普心泰医疗")]
    for a, b in pairs:
        add(rows, a, b, DIFF, "hard_negatives")


def second_batch(rows):
    """Written after the matcher: organisations and spellings none of the pairs above use."""
    same = [
        ("江苏恒瑞医药股份有限公司", "恒瑞医药", "suffix"), ("浙江海正药业股份有限公司", "海正药业", "suffix"),
        ("石药集团有限公司", "石药集团", "suffix"), ("科大讯飞股份有限公司", "科大讯飞", "suffix"),
        ("重庆市第九人民医院", "重庆第九人民医院", "regions"), ("厦门市第一医院", "福建省厦门市第一医院", "regions"),
        ("青岛市市立医院", "山东省青岛市市立医院", "regions"), ("南通市第一人民医院", "南通第一人民医院", "regions"),
        ("浙江大学医学院附属邵逸夫医院", "浙江大学医学院附属邵逸夫医院（浙江省邵逸夫医院）", "brackets"),
        ("美敦力（上海）管理有限公司", "美敦力(上海)管理有限公司", "brackets"),
        ("臺北榮民總醫院", "台北荣民总医院", "traditional"), ("廣州醫科大學附屬第一醫院", "广州医科大学附属第一医院", "traditional"),
        ("香港瑪麗醫院", "香港玛丽医院", "traditional"),
        ("广州医科大学附属第一医院", "广州医科大学附属第一医远", "typos_homophones"),
        ("郑州大学第一附属医院", "郑洲大学第一附属医院", "typos_homophones"),
        ("昆明医科大学第一附属医院", "昆明医科大学第一付属医院", "typos_homophones"),
        ("中山大学附属第三医院", "中山三院", "abbreviations"), ("浙江大学医学院附属第二医院", "浙大二院", "abbreviations"),
        ("复旦大学附属华山医院", "华山医院", "abbreviations"), ("上海交通大学医学院附属瑞金医院", "瑞金医院", "abbreviations"),
        ("空军军医大学西京医院", "西京医院", "abbreviations"), ("华中科技大学同济医学院附属协和医院", "武汉协和医院", "abbreviations"),
        ("广州医科大学附属第一医院", "广医一院", "abbreviations"), ("中南大学湘雅二医院", "湘雅二院", "abbreviations"),
        ("The First Affiliated Hospital of Guangzhou Medical University", "广州医科大学附属第一医院", "english_pinyin"),
        ("Huashan Hospital", "复旦大学附属华山医院", "english_pinyin"),
        ("Ruijin Hospital Shanghai Jiao Tong University School of Medicine", "上海交通大学医学院附属瑞金医院", "english_pinyin"),
        ("Chongqing Medical University First Affiliated Hospital", "重庆医科大学附属第一医院", "english_pinyin"),
        ("Xi'an Jiaotong University First Affiliated Hospital", "西安交通大学第一附属医院", "english_pinyin"),
        ("Sichuan Provincial People's Hospital", "四川省人民医院", "english_pinyin"),
        ("Shenzhen Second People's Hospital", "深圳市第二人民医院", "english_pinyin"),
        ("Kunming Medical University First Affiliated Hospital", "昆明医科大学第一附属医院", "english_pinyin"),
        ("Nanjing First Hospital", "南京市第一医院", "english_pinyin"),
        ("Beijing Anzhen Hospital", "首都医科大学附属北京安贞医院", "english_pinyin"),
        ("Jinan University First Affiliated Hospital", "暨南大学附属第一医院", "english_pinyin"),
        ("中国农业银行股份有限公司北京海淀支行", "中国农业银行北京海淀支行", "branches"),
        ("顺丰速运北京分公司", "顺丰速运有限公司北京分公司", "branches"),
        ("北京市西城区展览路医院", "西城区展览路医院", "districts"), ("天津市南开区三潭医院", "南开区三潭医院", "districts"),
        ("北京大学肿瘤医院", "北京肿瘤医院", "abbreviations"),
    ]
    diff = [
        ("南通市第一人民医院", "南京市第一医院", "regions"), ("成都市第一人民医院", "绵阳市第一人民医院", "regions"),
        ("美敦力（上海）管理有限公司", "美敦力（北京）管理有限公司", "brackets"),
        ("昆明医科大学第一附属医院", "昆明医科大学第二附属医院", "hard_negatives"),
        ("华山医院", "复旦大学附属中山医院", "abbreviations"),
        ("Shenzhen Third People's Hospital", "深圳市第二人民医院", "english_pinyin"),
        ("Chongqing Medical University Second Affiliated Hospital", "重庆医科大学附属第一医院", "english_pinyin"),
        ("中国平安保险（集团）股份有限公司", "平安银行股份有限公司", "parent_subsidiary"),
        ("国药集团一致药业股份有限公司", "国药控股股份有限公司", "parent_subsidiary"),
        ("中国医科大学附属第一医院", "中国医科大学附属盛京医院", "sister_institutions"),
        ("首都医科大学附属北京友谊医院", "首都医科大学附属北京世纪坛医院", "sister_institutions"),
        ("广州医科大学附属第一医院", "广州医科大学附属第二医院", "sister_institutions"),
        ("南京医科大学第一附属医院", "南京医科大学第二附属医院", "sister_institutions"),
        ("中国农业银行北京海淀支行", "中国农业银行北京朝阳支行", "branches"),
        ("上海市浦东新区公利医院", "上海市浦东新区人民医院", "districts"),
        ("深圳市龙岗区中心医院", "深圳市龙华区中心医院", "districts"),
        ("中国医学科学院肿瘤医院", "北京肿瘤医院", "hard_negatives"),
        ("北京儿童医院", "首都儿科研究所附属儿童医院", "hard_negatives"),
        ("北京天坛医院", "北京天坛中医医院", "hard_negatives"), ("南京市第一医院", "南京市第二医院", "hard_negatives"),
        ("江苏省中医院", "江苏省人民医院", "hard_negatives"),
    ]
    for a, b, category in same:
        add(rows, a, b, SAME, category)
    for a, b, category in diff:
        add(rows, a, b, DIFF, category)


def exact(rows):
    for name, _ in HOSPITALS[1::5]:
        add(rows, name, name, SAME, "exact")


def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
    for build in (suffixes, regions, brackets, traditional, typos, abbreviations, english_pinyin, parents, sisters,
                  branches, districts, hard_negatives, second_batch, exact):
        build(rows)
    seen = set()
    unique = []
    for row in rows:
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            unique.append(row)
    lines = ["# name_a\tname_b\tlabel\tcategory",
             "# Built by bench/labelled/build_pairs.py. same: one organisation (duplicate or possible is right);",
             "# diff: two organisations (distinct is right). Scored by bench/bench_accuracy.py."]
    lines += ["\t".join(r) for r in unique]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for r in unique:
        counts[r[3]] = counts.get(r[3], 0) + 1
    print(f"{len(unique)} pairs → {OUT}")
    for cat, n in counts.items():
        print(f"  {cat}: {n}")


if __name__ == "__main__":
    main()
