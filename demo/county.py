"""The demo county: 滨江县 / Binjiang County, reproducible from a seed.

Two halves:
- `build_county(seed)` invents the master data (towns and subdistricts, communities and
  villages, ~300 综合网格 tiling the county, departments, code names, SLA rules) and
  `write_county` writes it in the master data file format (`python -m demo.county
  --write DIR`); the shipped defaults in masterdata/ come from it.
- `load_model(directory)` reads any county's master data files (a real county's too)
  into the `Model` the history generator samples from. What only generation needs
  (hotspots, channel shares, category -> department) is in generation.json, with the
  defaults below for a county that brings none.

Grid geometry: a lattice on the unit square, jittered, mapped onto an irregular disk
(squircle map, a radial warp that makes central urban grids small and rural ones large,
and a wobbly outline). Neighbouring cells share every vertex, so the cells tile the
county exactly: no gaps, no overlaps.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from pathlib import Path

from chinese_calendar import constants as official

from common.vocabulary import OUTCOMES_SHOWN
from common.workdays import load_calendar
from data_access.masterdata import MasterData, read_masterdata
from data_access.sla import RULE_HEADER, Sla

DEFAULT_SEED = 20261125
CENTRE = (120.30, 31.90)  # lon, lat
RADIUS_KM = 15.0
NX, NY = 18, 17  # 306 grids
JITTER = 0.28  # share of a cell a vertex may move
KM_PER_DEG_LAT = 111.0

COUNTY = {"code": "binjiang", "name_zh": "滨江县", "name_en": "Binjiang County"}

# code, abbreviation, zh, en, kind; streets form the urban core, towns the ring outside.
TOWNS = [
    ("Chengdong", "CD", "城东街道", "Chengdong Subdistrict", "street"),
    ("Chengbei", "CB", "城北街道", "Chengbei Subdistrict", "street"),
    ("Chengxi", "CX", "城西街道", "Chengxi Subdistrict", "street"),
    ("Chengnan", "CN", "城南街道", "Chengnan Subdistrict", "street"),
    ("Lingang", "LG", "临港镇", "Lingang Town", "town"),
    ("Xiaying", "XY", "夏营镇", "Xiaying Town", "town"),
    ("Qingyang", "QY", "青阳镇", "Qingyang Town", "town"),
    ("Yunting", "YT", "云亭镇", "Yunting Town", "town"),
    ("Shizhuang", "SZ", "石庄镇", "Shizhuang Town", "town"),
    ("Baidang", "BD", "白荡镇", "Baidang Town", "town"),
    ("Xinqiao", "XQ", "新桥镇", "Xinqiao Town", "town"),
    ("Huangtang", "HT", "璜塘镇", "Huangtang Town", "town"),
]

URBAN_NAMES = [
    ("阳光", "Yangguang"), ("幸福", "Xingfu"), ("锦绣", "Jinxiu"), ("和平", "Heping"),
    ("东升", "Dongsheng"), ("滨河", "Binhe"), ("朝阳", "Chaoyang"), ("新华", "Xinhua"),
    ("文昌", "Wenchang"), ("银杏", "Yinxing"), ("春晖", "Chunhui"), ("金港", "Jingang"),
    ("丽都", "Lidu"), ("翠苑", "Cuiyuan"), ("长安", "Chang'an"), ("康居", "Kangju"),
    ("紫荆", "Zijing"), ("学府", "Xuefu"), ("明珠", "Mingzhu"), ("花园", "Huayuan"),
    ("南苑", "Nanyuan"), ("北门", "Beimen"), ("西园", "Xiyuan"), ("东湖", "Donghu"),
    ("人民", "Renmin"), ("府前", "Fuqian"), ("澄江", "Chengjiang"), ("兴业", "Xingye"),
    ("天华", "Tianhua"), ("虹桥", "Hongqiao"), ("君山", "Junshan"), ("香山", "Xiangshan"),
]  # fmt: skip
VILLAGE_FIRST = [
    ("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"), ("新", "Xin"), ("大", "Da"),
    ("前", "Qian"), ("后", "Hou"), ("长", "Chang"), ("高", "Gao"), ("青", "Qing"),
    ("白", "Bai"), ("红", "Hong"), ("金", "Jin"), ("石", "Shi"), ("沙", "Sha"), ("柳", "Liu"),
    ("荷", "He"), ("桃", "Tao"), ("杨", "Yang"), ("陈", "Chen"), ("周", "Zhou"), ("徐", "Xu"),
    ("马", "Ma"), ("蒋", "Jiang"), ("顾", "Gu"), ("钱", "Qian"), ("花", "Hua"), ("朱", "Zhu"),
]  # fmt: skip
VILLAGE_SECOND = [
    ("桥", "qiao"), ("塘", "tang"), ("港", "gang"), ("圩", "wei"), ("庄", "zhuang"),
    ("湾", "wan"), ("浜", "bang"), ("泾", "jing"), ("墩", "dun"), ("巷", "xiang"),
    ("埭", "dai"), ("舍", "she"),
]  # fmt: skip

DEPARTMENTS = [
    ("urban_mgmt", "县城市管理局", "Urban Management Bureau"),
    ("housing", "县住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("police", "县公安局", "Public Security Bureau"),
    ("traffic_police", "县公安局交警大队", "Traffic Police Brigade"),
    ("environment", "县生态环境局", "Ecology and Environment Bureau"),
    ("transport", "县交通运输局", "Transport Bureau"),
    ("water_resources", "县水利局", "Water Resources Bureau"),
    ("hrss", "县人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("market_regulation", "县市场监督管理局", "Market Regulation Administration"),
    ("emergency", "县应急管理局", "Emergency Management Bureau"),
    ("health", "县卫生健康委员会", "Health Commission"),
    ("education", "县教育局", "Education Bureau"),
    ("civil_affairs", "县民政局", "Civil Affairs Bureau"),
    ("justice", "县司法局", "Justice Bureau"),
    ("natural_resources", "县自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("agriculture", "县农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("petition_bureau", "县信访局", "Letters and Calls Bureau"),
    ("fire_rescue", "县消防救援大队", "Fire and Rescue Brigade"),
    ("law_enforcement", "县综合行政执法局", "Comprehensive Law Enforcement Bureau"),
    ("commerce", "县商务局", "Commerce Bureau"),
    ("culture_tourism", "县文化广电和旅游局", "Culture, Radio, TV and Tourism Bureau"),
    ("medical_security", "县医疗保障局", "Healthcare Security Administration"),
    ("veterans", "县退役军人事务局", "Veterans Affairs Bureau"),
    ("disabled_fed", "县残疾人联合会", "Disabled Persons' Federation"),
    ("women_fed", "县妇女联合会", "Women's Federation"),
    ("union", "县总工会", "Federation of Trade Unions"),
    ("highway", "县公路事业发展中心", "Highway Development Centre"),
    ("landscaping", "县园林绿化管理中心", "Landscaping and Greening Centre"),
    ("sanitation_office", "县环境卫生管理处", "Environmental Sanitation Office"),
    ("real_estate", "县房产管理中心", "Real Estate Management Centre"),
    ("power_supply", "国网滨江县供电公司", "State Grid Binjiang Power Supply"),
    ("water_group", "县水务集团", "Binjiang Water Group"),
    ("gas", "县燃气公司", "Binjiang Gas Company"),
    ("bus", "县公共交通公司", "Binjiang Public Transport Company"),
]

CHANNELS = {  # code: (zh, en, share)
    "hotline_12345": ("12345政务服务便民热线", "12345 Hotline", 0.42),
    "grid_patrol": ("网格员巡查", "Grid patrol", 0.24),
    "wechat": ("微信随手拍", "WeChat", 0.12),
    "police_110": ("110非警务警情联动", "110 Police linkage", 0.09),
    "talk_point": ("说事点", "Talk point", 0.06),
    "video_ai": ("视频AI识别", "Video AI", 0.05),
    "petition": ("信访", "Petition", 0.02),
}

_FLAT = [1.0] * 12
# code: zh, en, weight, priority shares (urgent, high, normal, low), monthly season,
# storm factor, responsible departments ('@town' = the incident's town office).
CATEGORIES = {
    "sanitation": ("环境卫生", "Sanitation", 16, (0.01, 0.08, 0.76, 0.15),
                   [1.1, 1.2, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.0, 1.0, 0.9, 1.0], 1.0,
                   {"sanitation_office": 4, "urban_mgmt": 3, "@town": 3, "health": 0.3}),
    "road_traffic": ("道路交通", "Roads and traffic", 12, (0.04, 0.16, 0.70, 0.10),
                     _FLAT, 1.5,
                     {"transport": 3, "traffic_police": 3, "highway": 1, "urban_mgmt": 1,
                      "@town": 1, "bus": 0.5}),
    "noise": ("噪声扰民", "Noise", 9, (0.02, 0.15, 0.73, 0.10),
              [0.7, 0.6, 0.8, 1.0, 1.1, 1.3, 1.5, 1.4, 1.1, 1.0, 0.8, 0.7], 0.5,
              {"environment": 3, "police": 2, "urban_mgmt": 2, "housing": 1, "@town": 1,
               "culture_tourism": 0.5}),
    "neighbour": ("邻里纠纷", "Neighbour disputes", 6, (0.02, 0.10, 0.78, 0.10),
                  _FLAT, 0.8, {"@town": 5, "justice": 2, "police": 1}),
    "property_mgmt": ("物业管理", "Property management", 9, (0.04, 0.14, 0.72, 0.10),
                      _FLAT, 1.2, {"housing": 3, "real_estate": 3, "@town": 3}),
    "water_power": ("水电气", "Water, power and gas", 8, (0.08, 0.25, 0.62, 0.05),
                    [1.1, 1.0, 0.8, 0.8, 0.9, 1.3, 1.7, 1.7, 1.1, 0.8, 0.8, 1.1], 3.0,
                    {"water_group": 4, "power_supply": 4, "gas": 2}),
    "environment": ("生态环境", "Environment", 7, (0.03, 0.17, 0.70, 0.10),
                    [0.8, 0.8, 0.9, 1.0, 1.3, 1.4, 1.1, 1.0, 1.0, 1.2, 0.9, 0.8], 1.0,
                    {"environment": 6, "water_resources": 1, "agriculture": 1, "@town": 1}),
    "safety_hazard": ("安全隐患", "Safety hazards", 7, (0.12, 0.30, 0.55, 0.03),
                      [1.2, 1.2, 1.0, 0.9, 0.9, 1.1, 1.2, 1.1, 0.9, 0.9, 1.0, 1.2], 1.5,
                      {"emergency": 3, "fire_rescue": 2, "housing": 1, "@town": 3}),
    "wage_arrears": ("欠薪讨薪", "Wage arrears", 3, (0.05, 0.30, 0.62, 0.03),
                     [2.2, 1.4, 0.8, 0.7, 0.7, 0.7, 0.8, 0.8, 0.8, 0.9, 1.2, 2.0], 0.5,
                     {"hrss": 7, "union": 1, "@town": 1}),
    "illegal_construction": ("违法建设", "Illegal construction", 4, (0.01, 0.07, 0.72, 0.20),
                             _FLAT, 0.5,
                             {"law_enforcement": 4, "natural_resources": 2, "@town": 3}),
    "market": ("市场监管", "Market and consumers", 5, (0.01, 0.10, 0.74, 0.15),
               _FLAT, 0.5, {"market_regulation": 8, "commerce": 1, "health": 0.5}),
    "greening": ("园林绿化", "Greening", 3, (0.03, 0.10, 0.67, 0.20),
                 [0.5, 0.5, 0.9, 1.1, 1.1, 1.4, 1.6, 1.6, 1.2, 0.9, 0.7, 0.5], 4.0,
                 {"landscaping": 5, "urban_mgmt": 1, "@town": 1}),
    "social_assistance": ("民生服务", "Social assistance", 4, (0.02, 0.12, 0.66, 0.20),
                          _FLAT, 0.5,
                          {"civil_affairs": 5, "disabled_fed": 1, "medical_security": 1,
                           "@town": 3, "veterans": 0.4, "women_fed": 0.4, "education": 0.4}),
    "public_order": ("社会治安", "Public order", 4, (0.08, 0.22, 0.65, 0.05),
                     _FLAT, 0.8, {"police": 7, "@town": 1}),
    "drainage": ("排水防涝", "Drainage and flooding", 3, (0.10, 0.25, 0.60, 0.05),
                 [0.3, 0.3, 0.5, 0.8, 1.0, 2.6, 3.2, 2.4, 1.2, 0.6, 0.4, 0.3], 6.0,
                 {"water_group": 3, "housing": 2, "urban_mgmt": 2, "water_resources": 1,
                  "@town": 1}),
}  # fmt: skip

# How much more (or less) likely a category is on a channel than on average.
CHANNEL_AFFINITY = {
    "video_ai": {"sanitation": 4, "road_traffic": 4, "illegal_construction": 2,
                 "environment": 2, "safety_hazard": 1.5, "*": 0},
    "police_110": {"public_order": 8, "noise": 4, "neighbour": 4, "road_traffic": 1.5,
                   "*": 0.3},
    "talk_point": {"neighbour": 5, "property_mgmt": 2, "social_assistance": 3,
                   "wage_arrears": 1.5, "*": 0.6},
    "petition": {"wage_arrears": 6, "illegal_construction": 3, "property_mgmt": 2,
                 "environment": 1.5, "social_assistance": 2, "*": 0.3},
    "grid_patrol": {"sanitation": 1.5, "safety_hazard": 2, "illegal_construction": 1.8,
                    "greening": 1.5, "public_order": 0.5, "wage_arrears": 0.5, "*": 1},
    "wechat": {"sanitation": 1.3, "road_traffic": 1.3, "*": 1},
}  # fmt: skip

HOTSPOT_KINDS = [
    ("老旧小区", "old housing estate", "street",
     {"property_mgmt": 3, "water_power": 2, "drainage": 2, "neighbour": 1.5}),
    ("夜市商圈", "night market", "street",
     {"noise": 4, "sanitation": 3, "market": 2, "public_order": 1.5}),
    ("城中村", "urban village", "street",
     {"illegal_construction": 4, "safety_hazard": 3, "public_order": 2, "sanitation": 1.5}),
    ("工业园区", "industrial park", "town", {"wage_arrears": 5, "environment": 3,
                                            "safety_hazard": 1.5}),
    ("在建工地片区", "construction zone", "town",
     {"noise": 3, "wage_arrears": 2, "road_traffic": 2}),
    ("学校医院周边", "school and hospital area", "street",
     {"road_traffic": 3, "public_order": 1.5, "market": 1.5}),
]  # fmt: skip

# kind: zh, en, weight, mediation type shares, outcome shares
# (mediated, adjudicated, failed, litigation, withdrawn)
DISPUTE_KINDS = {
    "neighbour": ("邻里纠纷", "Neighbour", 22, {"people": 0.85, "administrative": 0.05,
                  "judicial": 0.10}, (0.80, 0.10, 0.05, 0.02, 0.03)),
    "family": ("婚姻家庭纠纷", "Marriage and family", 16, {"people": 0.8, "judicial": 0.2},
               (0.75, 0.14, 0.04, 0.04, 0.03)),
    "labour": ("劳动争议", "Labour and wages", 14, {"administrative": 0.4, "industry": 0.3,
               "people": 0.15, "judicial": 0.15}, (0.61, 0.27, 0.04, 0.06, 0.02)),
    "land": ("土地宅基地纠纷", "Land and homesteads", 8, {"people": 0.5,
             "administrative": 0.4, "judicial": 0.1}, (0.66, 0.16, 0.09, 0.06, 0.03)),
    "property": ("物业纠纷", "Property management", 10, {"people": 0.4, "industry": 0.45,
                 "judicial": 0.15}, (0.67, 0.22, 0.04, 0.04, 0.03)),
    "traffic": ("交通事故纠纷", "Traffic accidents", 10, {"industry": 0.7, "judicial": 0.25,
                "people": 0.05}, (0.64, 0.28, 0.02, 0.05, 0.01)),
    "consumer": ("消费纠纷", "Consumer", 7, {"industry": 0.6, "administrative": 0.3,
                 "people": 0.1}, (0.82, 0.08, 0.05, 0.02, 0.03)),
    "debt": ("民间借贷合同纠纷", "Loans and contracts", 7, {"judicial": 0.6, "people": 0.4},
             (0.50, 0.33, 0.04, 0.11, 0.02)),
    "medical": ("医疗纠纷", "Medical", 3, {"industry": 0.9, "judicial": 0.1},
                (0.62, 0.18, 0.06, 0.12, 0.02)),
    "tenancy": ("房屋租赁纠纷", "Tenancy", 3, {"people": 0.7, "judicial": 0.3},
                (0.67, 0.22, 0.04, 0.04, 0.03)),
}  # fmt: skip

MEDIATION_TYPES = {
    "people": ("人民调解", "People's mediation"),
    "administrative": ("行政调解", "Administrative mediation"),
    "judicial": ("司法调解", "Judicial mediation"),
    "industry": ("行业性专业性调解", "Industry mediation"),
}

# code, zh, en, mediation type, town (None: county-wide), kinds (empty: any)
COUNTY_MEDIATORS = [
    ("studio_laoyang", "老杨调解工作室", "Lao Yang Mediation Studio", "people", "Chengdong", ()),
    ("studio_heshilao", "和事佬工作室", "Heshilao Studio", "people", "Xiaying", ()),
    ("studio_wangdajie", "王大姐调解室", "Sister Wang Mediation Room", "people", "Chengnan",
     ("family", "neighbour")),
    ("studio_xiangxian", "乡贤评理堂", "Village Elders' Hall", "people", "Qingyang", ()),
    ("studio_laoniangjiu", "老娘舅调解工作室", "Lao Niangjiu Studio", "people", "Baidang", ()),
    ("centre_county", "县社会矛盾纠纷调处化解中心", "County Dispute Resolution Centre",
     "administrative", None, ()),
    ("labour_centre", "县劳动人事争议调解中心", "Labour Dispute Mediation Centre",
     "administrative", None, ("labour",)),
    ("land_office", "县自然资源局调处办", "Land Dispute Office", "administrative", None,
     ("land",)),
    ("market_centre", "县消费纠纷调解中心", "Consumer Dispute Centre", "administrative",
     None, ("consumer",)),
    ("court_prelitigation", "县法院诉前调解中心", "Court Pre-litigation Mediation Centre",
     "judicial", None, ()),
    ("traffic_committee", "县交通事故纠纷人民调解委员会", "Traffic Accident Mediation Committee",
     "industry", None, ("traffic",)),
    ("medical_committee", "县医疗纠纷人民调解委员会", "Medical Dispute Mediation Committee",
     "industry", None, ("medical",)),
    ("property_committee", "县物业纠纷人民调解委员会", "Property Dispute Mediation Committee",
     "industry", None, ("property",)),
    ("labour_committee", "县劳动争议行业调解委员会", "Labour Industry Mediation Committee",
     "industry", None, ("labour",)),
    ("consumer_committee", "县消费者协会调解委员会", "Consumer Association Mediation Committee",
     "industry", None, ("consumer",)),
]  # fmt: skip

PRIORITIES = {
    "urgent": ("特急", "Urgent"),
    "high": ("紧急", "High"),
    "normal": ("一般", "Normal"),
    "low": ("较缓", "Low"),
}
INCIDENT_STATUSES = {
    "reported": ("已上报", "Reported"),
    "dispatched": ("已派遣", "Dispatched"),
    "in_progress": ("处置中", "In progress"),
    "resolved": ("已办结", "Resolved"),
    "closed": ("已结案", "Closed"),
    "rejected": ("不予受理", "Rejected"),
    "reopened": ("重新办理", "Reopened"),
    "escalated": ("督办", "Escalated"),
    "signed": ("已签收", "Signed for"),
    "returned": ("已退回", "Returned"),
    "merged": ("已合并（重复件）", "Merged (duplicate)"),
    "acknowledged": ("认领", "Acknowledged"),
}
DISPUTE_STATUSES = {
    "accepted": ("已受理", "Accepted"),
    "mediating": ("调解中", "Mediating"),
    "mediated": ("调解成功", "Mediated"),
    "failed": ("调解不成", "Failed"),
    "adjudicated": ("速裁", "Fast-track ruling"),
    "litigation": ("转诉讼", "Litigation"),
    "withdrawn": ("撤回", "Withdrawn"),
}

# The SLA rules as counties write them (CONTRACT 2, `Nh` or `Nwd`, most specific first
# wins): urgent cases in hours, high within a working day; ordinary work orders 5 working
# days from the 12345 hotline, 3 from the online channels (WeChat), 15 for the complex
# categories (违建, 欠薪, 物业), which need an investigation or several departments.
# Low priority keeps the default (168h).
SLA_RULES = [
    ("*", "urgent", "*", "4h"),
    ("*", "high", "*", "1wd"),
    ("*", "normal", "*", "5wd"),
    ("*", "normal", "hotline_12345", "5wd"),
    ("*", "normal", "wechat", "3wd"),
    ("illegal_construction", "normal", "*", "15wd"),
    ("illegal_construction", "low", "*", "15wd"),
    ("wage_arrears", "normal", "*", "15wd"),
    ("wage_arrears", "low", "*", "15wd"),
    ("property_mgmt", "normal", "*", "15wd"),
]
# The year whose official calendar the example calendar.csv spells out: a county admin
# copies its form for the next year once the State Council publishes it (next year has no
# rows on purpose, so the product warns from 1 December that it is missing).
CALENDAR_EXAMPLE_YEAR = 2026


# ---------------------------------------------------------------- geometry


def _squircle(u: float, v: float) -> tuple[float, float]:
    """Unit square -> unit disk, keeping lattice cells well shaped."""
    return u * math.sqrt(1 - v * v / 2), v * math.sqrt(1 - u * u / 2)


def _outline_factor(theta: float, phases: tuple[float, ...]) -> float:
    a, b, c = phases
    return (
        1
        + 0.11 * math.sin(2 * theta + a)
        + 0.07 * math.sin(3 * theta + b)
        + 0.04 * math.sin(5 * theta + c)
    )


def _to_lonlat(u: float, v: float, phases: tuple[float, ...]) -> tuple[float, float]:
    x, y = _squircle(u, v)
    r = math.hypot(x, y)
    theta = math.atan2(y, x)
    scale = (0.45 * r + 0.55 * r * r) * _outline_factor(theta, phases) * RADIUS_KM
    x_km, y_km = 1.15 * scale * math.cos(theta), 0.9 * scale * math.sin(theta)
    lon = CENTRE[0] + x_km / (KM_PER_DEG_LAT * math.cos(math.radians(CENTRE[1])))
    lat = CENTRE[1] + y_km / KM_PER_DEG_LAT
    return round(lon, 6), round(lat, 6)


def _lattice(rng: random.Random) -> tuple[dict, dict]:
    """Jittered vertices and jittered edge midpoints in [-1, 1]^2."""
    du, dv = 2 / NX, 2 / NY
    vertices = {}
    for i in range(NX + 1):
        for j in range(NY + 1):
            u = -1 + i * du + (rng.uniform(-JITTER, JITTER) * du if 0 < i < NX else 0)
            v = -1 + j * dv + (rng.uniform(-JITTER, JITTER) * dv if 0 < j < NY else 0)
            vertices[i, j] = (u, v)
    midpoints = {}
    for i in range(NX + 1):
        for j in range(NY + 1):
            for a, b in (((i, j), (i + 1, j)), ((i, j), (i, j + 1))):
                if b not in vertices:
                    continue
                (u0, v0), (u1, v1) = vertices[a], vertices[b]
                bend = rng.uniform(-0.12, 0.12)
                if (a[0] == b[0] and a[0] in (0, NX)) or (a[1] == b[1] and a[1] in (0, NY)):
                    bend = 0.0  # the square's own boundary stays straight before mapping
                midpoints[a, b] = (
                    (u0 + u1) / 2 - bend * (v1 - v0),
                    (v0 + v1) / 2 + bend * (u1 - u0),
                )
    return vertices, midpoints


def _cell_ring(i: int, j: int, vertices: dict, midpoints: dict) -> list[tuple[float, float]]:
    """Counter-clockwise ring of cell (i, j) in lattice space, not closed."""
    corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
    ring = []
    for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
        ring.append(vertices[a])
        key = (a, b) if (a, b) in midpoints else (b, a)
        ring.append(midpoints[key])
    return ring


def _boundary(vertices: dict, midpoints: dict) -> list[tuple[float, float]]:
    """The lattice's outer ring, counter-clockwise, not closed."""
    path = [(i, 0) for i in range(NX)] + [(NX, j) for j in range(NY)]
    path += [(i, NY) for i in range(NX, 0, -1)] + [(0, j) for j in range(NY, 0, -1)]
    ring = []
    for a, b in zip(path, path[1:] + path[:1], strict=True):
        ring.append(vertices[a])
        key = (a, b) if (a, b) in midpoints else (b, a)
        ring.append(midpoints[key])
    return ring


def ring_area(ring: list) -> float:
    """Signed shoelace area of a ring (positive when counter-clockwise)."""
    closed = list(ring) if ring[0] == ring[-1] else [*ring, ring[0]]
    return (
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(closed, closed[1:], strict=False)) / 2
    )


def _town_of(u: float, v: float, wobble: float) -> int:
    """Index into TOWNS: four subdistricts in the core, eight towns in sectors around."""
    x, y = _squircle(u, v)
    r, theta = math.hypot(x, y), math.atan2(y, x)
    if r < 0.64 + 0.06 * math.sin(3 * theta + wobble):
        return int(((theta + math.pi / 4) % (2 * math.pi)) // (math.pi / 2))
    bent = theta + 0.22 * math.sin(4 * r + wobble)
    return 4 + int(((bent + math.pi / 8) % (2 * math.pi)) // (math.pi / 4))


# ---------------------------------------------------------------- master data


def _closed(ring: list) -> list[list[float]]:
    return [list(p) for p in ring] + [list(ring[0])]


def _names_for(rng: random.Random, urban: bool, count: int, used: set) -> list[tuple[str, str]]:
    if urban:
        pool = [(zh + "社区", en + " Community") for zh, en in URBAN_NAMES]
    else:
        pool = [
            (a + b + "村", f"{ea}{eb} Village")
            for a, ea in VILLAGE_FIRST
            for b, eb in VILLAGE_SECOND
        ]
    pool = [p for p in pool if p[0] not in used]
    names = rng.sample(pool, count)
    used.update(zh for zh, _ in names)
    return names


@dataclass
class DemoCounty:
    """Everything the master data files hold, plus the generation weights."""

    master: MasterData
    generation: dict


def _town_offices() -> list[tuple[str, str, str, str]]:
    """The town and subdistrict governments as departments (属地 handling)."""
    suffix = {"street": ("办事处", " Office"), "town": ("人民政府", " Government")}
    return [
        (f"gov_{code.lower()}", code, zh + suffix[kind][0], en + suffix[kind][1])
        for code, _a, zh, en, kind in TOWNS
    ]


def _codes() -> list[dict]:
    rows = []

    def add(kind: str, table: dict) -> None:
        rows.extend(
            {"kind": kind, "code": code, "name_zh": v[0], "name_en": v[1]}
            for code, v in table.items()
        )

    add("channel", CHANNELS)
    add("category", CATEGORIES)
    add("dispute_kind", DISPUTE_KINDS)
    add("mediation_type", MEDIATION_TYPES)
    add("priority", PRIORITIES)
    add("incident_status", INCIDENT_STATUSES)
    add("dispute_status", DISPUTE_STATUSES)
    add("mediator", {code: (zh, en) for code, zh, en, *_ in _mediators()})
    return rows


def _mediators() -> list[tuple]:
    towns = [
        (f"committee_{code.lower()}", f"{zh}人民调解委员会", f"{en} People's Mediation Committee",
         "people", code, ())
        for code, _a, zh, en, _k in TOWNS
    ]  # fmt: skip
    return towns + COUNTY_MEDIATORS


def generation_defaults(master: MasterData, seed: int = DEFAULT_SEED) -> dict:
    """Generation-only weights for a county's master data (hotspots drawn from its grids)."""
    rng = random.Random(f"{seed}:generation")
    kinds = {t["code"]: t["kind"] for t in master.towns}
    departments = {d["code"] for d in master.departments}
    hotspots = {}
    for zh, en, kind, categories in HOTSPOT_KINDS:
        pool = [g["code"] for g in master.grids if kinds.get(g["town"]) == kind] or [
            g["code"] for g in master.grids
        ]
        pool = [code for code in pool if code not in hotspots]
        if pool:
            hotspots[rng.choice(sorted(pool))] = {
                "label_zh": zh,
                "label_en": en,
                "weight": round(rng.uniform(3, 5), 1),
                "categories": categories,
            }
    offices = {town: code for code, town, *_ in _town_offices() if code in departments}
    return {
        "channels": {code: share for code, (_zh, _en, share) in CHANNELS.items()},
        "channel_affinity": CHANNEL_AFFINITY,
        "categories": {
            code: {
                "weight": weight,
                "priority": dict(zip(PRIORITIES, shares, strict=True)),
                "season": season,
                "storm": storm,
                "departments": depts,
            }
            for code, (_zh, _en, weight, shares, season, storm, depts) in CATEGORIES.items()
        },
        "hotspots": hotspots,
        "town_offices": offices,
        "department_speed": {
            code: round(rng.uniform(-0.25, 0.25), 2) for code in sorted(departments)
        },
        "dispute_kinds": {
            code: {
                "weight": weight,
                "mediation_types": types,
                "outcomes": dict(
                    zip(
                        OUTCOMES_SHOWN,
                        out,
                        strict=True,
                    )
                ),
            }
            for code, (_zh, _en, weight, types, out) in DISPUTE_KINDS.items()
        },
        "mediators": {
            code: {"type": kind, "town": town, "kinds": list(kinds_)}
            for code, _zh, _en, kind, town, kinds_ in _mediators()
        },
    }


def build_county(seed: int = DEFAULT_SEED) -> DemoCounty:
    """The demo county's master data, the same for the same seed."""
    rng = random.Random(seed)
    phases = (rng.uniform(0, 6.28), rng.uniform(0, 6.28), rng.uniform(0, 6.28))
    wobble = rng.uniform(0, 6.28)
    vertices, midpoints = _lattice(rng)

    cells: dict[int, list[tuple[int, int]]] = {}
    for i in range(NX):
        for j in range(NY):
            cu = sum(vertices[p][0] for p in ((i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1))) / 4
            cv = sum(vertices[p][1] for p in ((i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1))) / 4
            cells.setdefault(_town_of(cu, cv, wobble), []).append((i, j))

    master = MasterData(county={})
    used: set[str] = set()
    for index, (code, abbr, zh, en, kind) in enumerate(TOWNS):
        master.towns.append(
            {"code": code, "name_zh": zh, "name_en": en, "kind": kind, "sort": index}
        )
        blocks: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for i, j in cells.get(index, []):
            blocks.setdefault((i // 2, j // 3), []).append((i, j))
        names = _names_for(rng, kind == "street", len(blocks), used)
        number = 0
        for c, (block, name) in enumerate(zip(sorted(blocks), names, strict=True), start=1):
            community = f"{abbr}-C{c:02d}"
            master.communities.append(
                {"code": community, "town": code, "name_zh": name[0], "name_en": name[1]}
            )
            for k, (i, j) in enumerate(sorted(blocks[block]), start=1):
                number += 1
                ring = [_to_lonlat(u, v, phases) for u, v in _cell_ring(i, j, vertices, midpoints)]
                low, high = (380, 500) if kind == "street" else (300, 460)
                master.grids.append(
                    {
                        "code": f"{abbr}-{number:03d}",
                        "town": code,
                        "community": community,
                        "name_zh": f"{name[0]}第{k}网格",
                        "name_en": f"{name[1]} Grid {k}",
                        "households": rng.randint(low, high),
                        "geometry": {"type": "Polygon", "coordinates": [_closed(ring)]},
                    }
                )
    master.departments = [{"code": c, "name_zh": zh, "name_en": en} for c, zh, en in DEPARTMENTS]
    master.departments += [
        {"code": c, "name_zh": zh, "name_en": en} for c, _t, zh, en in _town_offices()
    ]
    master.codes = _codes()
    master.sla = [dict(zip(RULE_HEADER, rule, strict=True)) for rule in SLA_RULES]

    outline = [_to_lonlat(u, v, phases) for u, v in _boundary(vertices, midpoints)]
    lons = [p[0] for p in outline]
    lats = [p[1] for p in outline]
    master.county = {
        **COUNTY,
        "centre": [CENTRE[0], CENTRE[1]],
        "bounds": [min(lons), min(lats), max(lons), max(lats)],
        "outline": _closed(outline),
        "seed": seed,
    }
    return DemoCounty(master=master, generation=generation_defaults(master, seed))


# The demo county's assessment rules (考核办法, CC_ASSESSMENT): weight, floor and target of
# each rate a unit is scored on, as county 12345 bulletins weigh them; 退单率 scores lower
# is better (its target below its floor). The work-order rates (timely_sign_rate,
# solved_rate, return_rate) score once data_access computes them (common.assessment
# refuses a rate the vocabulary does not have yet, by name).
ASSESSMENT = [
    ("on_time_rate", 30, 0.80, 0.98),  # 按时办结率
    ("timely_sign_rate", 20, 0.85, 0.98),  # 及时签收率
    ("satisfaction_rate", 30, 0.80, 0.95),  # 回访满意率
    ("solved_rate", 10, 0.60, 0.90),  # 实际解决率
    ("return_rate", 10, 0.20, 0.02),  # 退单率, lower is better
]


def _assessment_rows() -> list[dict]:
    return [
        {"unit_kind": kind, "metric": m, "weight": w, "floor": f, "target": t}
        for kind in ("town", "department")
        for m, w, f, t in ASSESSMENT
    ]


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row[c] for c in columns})


def calendar_example(year: int = CALENDAR_EXAMPLE_YEAR) -> list[dict]:
    """A year of the official calendar in CC_CALENDAR's form: every statutory day off
    (0) and every make-up working day (1), as the State Council's notice lists them."""
    days = {day: "0" for day in official.holidays if day.year == year}
    days.update({day: "1" for day in official.workdays if day.year == year})
    return [{"date": day.isoformat(), "workday": flag} for day, flag in sorted(days.items())]


def write_county(county: DemoCounty, directory: Path) -> None:
    """Write the master data files (and generation.json) into `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    master = county.master
    _write_csv(
        directory / "towns.csv", ["code", "name_zh", "name_en", "kind", "sort"], master.towns
    )
    _write_csv(
        directory / "communities.csv", ["code", "town", "name_zh", "name_en"], master.communities
    )
    _write_csv(directory / "departments.csv", ["code", "name_zh", "name_en"], master.departments)
    _write_csv(directory / "codes.csv", ["kind", "code", "name_zh", "name_en"], master.codes)
    _write_csv(directory / "sla.csv", list(RULE_HEADER), master.sla)
    _write_csv(directory / "calendar.csv", ["date", "workday"], calendar_example())
    _write_csv(
        directory / "assessment.csv",
        ["unit_kind", "metric", "weight", "floor", "target"],
        _assessment_rows(),
    )
    features = [
        {
            "type": "Feature",
            "properties": {
                k: g[k] for k in ("code", "town", "community", "name_zh", "name_en", "households")
            },
            "geometry": g["geometry"],
        }
        for g in master.grids
    ]
    (directory / "grids.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    for name, content in (("county.json", master.county), ("generation.json", county.generation)):
        (directory / name).write_text(
            json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


# ---------------------------------------------------------------- the generator's model


class Table:
    """Weighted choice in O(log n): `pick(rng)`; zero weights are never picked."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, weights: dict):
        self.items = [k for k, w in weights.items() if w > 0]
        self.cum, running = [], 0.0
        for key in self.items:
            running += weights[key]
            self.cum.append(running)
        self.total = running

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


@dataclass(frozen=True)
class GridInfo:
    code: str
    town: str
    community: str | None
    community_zh: str
    ring: tuple[tuple[float, float], ...]
    bbox: tuple[float, float, float, float]


@dataclass
class Model:
    """A county's master data and generation weights, ready for fast sampling."""

    county: dict
    towns: dict[str, dict]
    grids: list[GridInfo]
    grid_table: Table
    town_grids: dict[str, Table]
    departments: list[str]
    names: dict[tuple[str, str], str]  # (kind, code) -> zh name
    channels: Table
    categories: dict[str, dict]
    channel_affinity: dict[str, dict]
    hotspots: dict[str, dict]
    town_offices: dict[str, str]
    department_speed: dict[str, float]
    dispute_kinds: Table
    dispute_specs: dict[str, dict]
    mediators: dict[str, dict]
    sla: Sla
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._grids = {g.code: g for g in self.grids}

    def grid_info(self, code: str) -> GridInfo:
        return self._grids[code]

    def cached_table(self, key: tuple, weights: dict) -> Table:
        table = self._cache.get(key)
        if table is None:
            table = self._cache[key] = Table(weights)
        return table

    def priority_table(self, category: str) -> Table:
        shares = self.categories.get(category, {}).get("priority") or {"normal": 1}
        return self.cached_table(("priority", category), shares)

    def category_table(self, channel: str, month: int, storm: bool, grid: str) -> Table:
        """Category weights for a channel, month (1-12), storm day and (hotspot) grid."""
        spot = grid if grid in self.hotspots else None
        key = (channel, month, storm, spot)
        table = self._cache.get(key)
        if table is None:
            affinity = self.channel_affinity.get(channel, {})
            bias = self.hotspots[spot]["categories"] if spot else {}
            weights = {}
            for code, spec in self.categories.items():
                weight = spec["weight"] * spec["season"][month - 1]
                weight *= spec["storm"] if storm else 1.0
                weight *= affinity.get(code, affinity.get("*", 1.0)) * bias.get(code, 1.0)
                weights[code] = weight
            table = self._cache[key] = Table(weights)
        return table

    def department_table(self, category: str, town: str) -> Table:
        key = ("dept", category, town)
        table = self._cache.get(key)
        if table is None:
            weights: dict[str, float] = {}
            spec = self.categories.get(category, {}).get("departments", {})
            for code, weight in spec.items():
                target = self.town_offices.get(town) if code == "@town" else code
                if target in self.departments:
                    weights[target] = weights.get(target, 0) + weight
            if not weights:
                weights = {code: 1.0 for code in self.departments}
            table = self._cache[key] = Table(weights)
        return table

    def mediator_table(self, kind: str, mediation_type: str, town: str) -> Table | None:
        key = ("mediator", kind, mediation_type, town)
        if key not in self._cache:
            weights = {}
            for code, spec in self.mediators.items():
                if spec["type"] != mediation_type:
                    continue
                if spec.get("kinds") and kind not in spec["kinds"]:
                    continue
                if spec.get("town") not in (None, town):
                    continue
                specific = bool(spec.get("kinds")) or spec.get("town") is not None
                weights[code] = 3.0 if specific else 1.0
            self._cache[key] = Table(weights) if weights else None
        return self._cache[key]


def _sla(master: MasterData, directory: Path) -> Sla:
    """The county's rules, with channels, over its calendar file (else the package's)."""
    rules = {(r["category"], r["priority"], r["channel"]): r["limit"] for r in master.sla}
    return Sla(rules, load_calendar(directory / "calendar.csv"))


def load_model(directory: Path, seed: int = DEFAULT_SEED) -> Model:
    """The generator's model from a master data folder (generation.json optional)."""
    directory = Path(directory)
    master = read_masterdata(directory)
    gen_file = directory / "generation.json"
    gen = (
        json.loads(gen_file.read_text(encoding="utf-8"))
        if gen_file.exists()
        else generation_defaults(master, seed)
    )
    names = {("town", t["code"]): t["name_zh"] for t in master.towns}
    names.update({("community", c["code"]): c["name_zh"] for c in master.communities})
    names.update({("department", d["code"]): d["name_zh"] for d in master.departments})
    names.update({(c["kind"], c["code"]): c["name_zh"] for c in master.codes})
    known = {code for kind, code in names if kind == "category"}
    categories = {c: s for c, s in gen["categories"].items() if c in known} or gen["categories"]
    for code in known - set(categories):  # a county's own category, average everything
        categories[code] = {"weight": 2, "priority": {"normal": 1}, "season": _FLAT, "storm": 1}
    grids, weights, by_town = [], {}, {}
    kinds = {t["code"]: t["kind"] for t in master.towns}
    for g in master.grids:
        ring = tuple(tuple(p) for p in g["geometry"]["coordinates"][0])
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        info = GridInfo(
            code=g["code"],
            town=g["town"],
            community=g["community"],
            community_zh=names.get(("community", g["community"]), ""),
            ring=ring,
            bbox=(min(lons), min(lats), max(lons), max(lats)),
        )
        grids.append(info)
        weight = (g["households"] or 400) * (1.3 if kinds.get(g["town"]) == "street" else 1.0)
        weight *= gen["hotspots"].get(g["code"], {}).get("weight", 1.0)
        weights[info.code] = weight
        by_town.setdefault(g["town"], {})[info.code] = weight
    channels = {c: s for c, s in gen["channels"].items()}
    dispute_specs = gen["dispute_kinds"]
    return Model(
        county=master.county,
        towns={t["code"]: t for t in master.towns},
        grids=grids,
        grid_table=Table(weights),
        town_grids={town: Table(w) for town, w in by_town.items()},
        departments=[d["code"] for d in master.departments],
        names=names,
        channels=Table(channels),
        categories=categories,
        channel_affinity=gen.get("channel_affinity", {}),
        hotspots=gen.get("hotspots", {}),
        town_offices=gen.get("town_offices", {}),
        department_speed=gen.get("department_speed", {}),
        dispute_kinds=Table({k: s["weight"] for k, s in dispute_specs.items()}),
        dispute_specs=dispute_specs,
        mediators=gen.get("mediators", {}),
        sla=_sla(master, directory),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the demo county's master data files.")
    parser.add_argument("--write", metavar="DIR", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    county = build_county(args.seed)
    write_county(county, args.write)
    master = county.master
    print(
        f"wrote {len(master.towns)} towns, {len(master.communities)} communities, "
        f"{len(master.grids)} grids, {len(master.departments)} departments to {args.write}"
    )


if __name__ == "__main__":
    main()
