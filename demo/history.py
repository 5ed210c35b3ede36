"""Realistic incident and dispute histories, as the stream entries producers would send.

Shared by the seeder (two years of history) and the live simulator. Each lifecycle is a
list of contract field dicts, all strings, in time order; with `now` given, events after
it are cut off, so recent incidents are still open and some are overdue.

The arrival process: daily volume with year-on-year growth, a weekly rhythm, seasons
(summer storms, the Spring Festival dip, holidays) and a daily rhythm (quiet nights,
morning and afternoon peaks). Everything is drawn from seeded RNGs, one per local day,
so a seed gives the same history whatever else changes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from common.workdays import Limit, working_days_after
from demo.county import GridInfo, Model, Table

SHANGHAI = ZoneInfo("Asia/Shanghai")
HISTORY_DAYS = 730

LUNAR_NEW_YEAR = {
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
}
GROWTH = 0.09  # year on year

INCIDENT_HOURS = [0.8, 0.5, 0.35, 0.3, 0.35, 0.7, 1.6, 3.2, 5.4, 6.8, 6.9, 6.0,
                  4.2, 4.6, 6.2, 6.4, 6.0, 5.3, 4.2, 4.0, 3.8, 3.2, 2.2, 1.3]  # fmt: skip
DISPUTE_HOURS = [0, 0, 0, 0, 0, 0, 0, 0.2, 2.5, 5, 5.5, 3.5,
                 1.2, 3.5, 5, 5, 4, 2, 0.6, 0.8, 0.6, 0.2, 0, 0]  # fmt: skip
INCIDENT_WEEK = [1.10, 1.05, 1.03, 1.02, 1.0, 0.86, 0.82]
DISPUTE_WEEK = [1.2, 1.15, 1.1, 1.1, 1.05, 0.45, 0.35]
INCIDENT_SEASON = [0.86, 0.84, 0.95, 1.0, 1.03, 1.1, 1.18, 1.16, 1.02, 0.96, 0.95, 0.93]
DISPUTE_SEASON = [1.25, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 1.0, 1.15]

# Timeliness: resolution time = SLA hours * exp(N(MU + department speed, SIGMA)), so about
# 4% of ordinary incidents run late; a few hard cases close weeks or months late. A county
# at 95% on time carries a few dozen such cases at any moment (积案), not hundreds: with
# these shares the open overdue backlog is mostly days late, a tail of weeks and months.
MU, SIGMA = -1.28, 0.6
P_STUCK, P_VERY_LATE = 0.0008, 0.004
STUCK_DAYS, VERY_LATE_DAYS = (30, 180), (5, 45)
REJECT = {"hotline_12345": 0.02, "wechat": 0.03, "petition": 0.02, "police_110": 0.01}
RATED = ("hotline_12345", "wechat", "police_110", "talk_point", "petition")

# The work order's own events (CONTRACT second edition), at the shares real 12345
# centres report: about 4.5% of reports repeat one made earlier the same day (same grid,
# same category) and are merged into it (重复件); 3% of dispatches are sent back (退回)
# and dispatched again; 3% are signed (签收) after the sign limit, the rest within hours;
# 5% get an extension (延期) approved before their deadline; the handler reaches the
# reporter (先行联系) within 24 h in most cases; the centre calls back (回访) most closed
# cases, which were mostly solved (实际解决); the duty officer takes most overdue cases in
# hand (认领).
P_DUPLICATE = 0.045
DUPLICATE_POOL = 40  # a repeat report names one of the day's last reports
P_RETURN = 0.03
P_SIGN_LATE = 0.03
SIGN_LIMIT_DAYS = 1  # CC_SIGN_LIMIT's default, 1wd after the first dispatch
P_EXTEND = 0.056  # of the non-urgent: about 5% of received
EXTEND_DAYS = (3, 5, 5, 10)  # working days an extension adds to a Nwd deadline
P_CONTACT, P_CONTACT_LATE = 0.87, 0.06  # in time (24 h), late; the rest never
P_VISIT = {"rated": 0.93, "other": 0.6}  # 回访 of closed cases, by channel
P_SOLVED = {"5": 0.97, "4": 0.93, "3": 0.65, "2": 0.3, "1": 0.15}  # by satisfaction
P_CLAIMED = 0.3  # the department's own 'solved' on closing, before the call-back
P_ACKNOWLEDGE = 0.85
P_REOPEN = {"unhappy": 0.12, "other": 0.002}  # 重办 after the call-back
RETURN_REASONS = (
    "不属于本单位职责范围，申请改派",
    "诉求涉及多个部门，建议由牵头单位办理",
    "地址信息有误，无法定位",
    "该事项已由属地镇街处置，申请退回",
)
REJECT_REASONS = ("不属于受理范围", "信息不全，无法核实", "咨询类诉求，已当场答复")
SELF_HANDLED = ("grid_patrol", "talk_point")
ESCALATION_STEPS = (timedelta(hours=0.5), timedelta(hours=48), timedelta(days=7))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛顾钱"
)
GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
    "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "建国",
    "志强", "海燕", "晓东", "文斌", "玉兰", "春梅", "国平", "卫东", "小红", "丹", "婷", "浩",
    "宇", "欣怡", "子涵", "振华", "雪梅", "红霞", "立新",
)  # fmt: skip
ROADS = (
    "人民路", "解放路", "长江路", "滨江路", "澄江路", "中山路", "建设路", "新华路",
    "青年路", "虹桥路", "环城北路", "兴业路", "朝阳路", "文化路", "工业大道", "港城大道",
    "虞门路", "五星路",
)  # fmt: skip

INTRO = {
    "hotline_12345": "市民来电反映：",
    "wechat": "群众通过微信“随手拍”反映：",
    "grid_patrol": "网格员巡查发现：",
    "police_110": "110接警后转非警务事项：",
    "talk_point": "群众在说事点反映：",
    "video_ai": "视频AI识别告警：",
    "petition": "群众来访反映：",
}
ASKS = ("希望尽快处理。", "请相关部门核实处理。", "已多次反映未解决，要求尽快处理。",
        "影响居民正常生活，请求处理。", "存在安全隐患，请尽快处置。", "")  # fmt: skip

# category: (titles, details, results)
TEXTS = {
    "sanitation": (
        ("小区垃圾未及时清运", "路边暴露垃圾堆积", "公共厕所脏乱无人打扫", "垃圾分类亭异味严重",
         "建筑垃圾乱倒"),
        ("已持续两三天", "气味很大，蚊蝇较多", "影响周边居民出行", "夏季高温异味明显"),
        ("已安排环卫人员清运完毕", "已清理并加密清运频次", "已对责任单位督促整改")),
    "road_traffic": (
        ("路面坑洼破损", "路口信号灯故障", "车辆乱停乱放堵塞通道", "人行道护栏损坏", "路灯不亮"),
        ("夜间通行存在隐患", "早晚高峰拥堵严重", "已有电动车在此摔倒", "持续一周未修复"),
        ("已完成路面修补", "信号灯已恢复正常", "已开展违停整治并劝离车辆")),
    "noise": (
        ("夜间施工噪音扰民", "广场舞音响声音过大", "商铺外放音响扰民", "KTV深夜噪音",
         "空调外机噪音"),
        ("晚上十点以后仍未停止", "老人孩子无法休息", "多次协商无果"),
        ("已责令停止夜间施工", "已与广场舞团队约定音量和时间", "已约谈商户并整改")),
    "neighbour": (
        ("邻居楼道堆物引发矛盾", "楼上漏水邻里协商不成", "宠物扰邻", "邻里因停车位发生争执"),
        ("双方情绪较激动", "已影响正常生活", "需要社区出面协调"),
        ("经网格员和社区调解双方达成一致", "已协调清理楼道堆物", "已协调维修漏水点")),
    "property_mgmt": (
        ("电梯故障困人", "物业不作为", "小区地下车库积水", "物业费收费争议", "小区门禁损坏"),
        ("物业长时间未处理", "业主意见较大", "涉及多户居民"),
        ("已督促物业完成维修", "已召集业委会和物业协商", "已恢复正常使用")),
    "water_power": (
        ("小区突然停水", "片区停电", "自来水水压低", "燃气管道有异味", "水表井漏水"),
        ("事先未接到通知", "涉及整栋楼居民", "老人家中急需用水"),
        ("已抢修恢复供水", "已恢复供电", "已完成管道检修")),
    "environment": (
        ("河道水体发黑发臭", "餐饮油烟扰民", "工厂排放异味", "露天焚烧秸秆", "企业夜间偷排"),
        ("周边居民反映强烈", "晚上更加明显", "已持续多日"),
        ("已现场执法检查并责令整改", "已安装油烟净化设施", "已开展河道清淤保洁")),
    "safety_hazard": (
        ("电动车楼道充电", "消防通道被占用", "老旧房屋墙体开裂", "窨井盖缺失", "广告牌松动"),
        ("存在较大安全隐患", "附近是学校上下学路线", "雨天更加危险"),
        ("已清理楼道并张贴告知书", "已设置警示并完成加固", "已补装窨井盖")),
    "wage_arrears": (
        ("农民工工资被拖欠", "工地拖欠工资", "企业拖欠员工工资"),
        ("涉及十余名工人", "已拖欠两个多月", "临近春节急需回家"),
        ("已督促企业足额发放工资", "已启动工资保证金支付", "已移交劳动监察立案")),
    "illegal_construction": (
        ("私自搭建违章建筑", "楼顶加盖违建", "侵占绿地搭建棚屋"),
        ("正在连夜施工", "影响采光和通行", "邻居意见很大"),
        ("已下达限期拆除通知", "违建已拆除", "已立案查处")),
    "market": (
        ("超市销售过期食品", "商家价格欺诈", "预付卡商家跑路", "无证经营"),
        ("涉及多名消费者", "商家拒绝退款", "要求依法查处"),
        ("已立案调查", "已督促商家退款", "已责令停业整改")),
    "greening": (
        ("树木倒伏阻碍通行", "绿化带杂草丛生", "树枝遮挡路灯", "行道树枯死"),
        ("风雨后情况加重", "影响车辆通行", "存在砸伤行人隐患"),
        ("已清理倒伏树木", "已完成修剪", "已补植绿化")),
    "social_assistance": (
        ("困难家庭申请救助", "独居老人需要帮扶", "低保政策咨询", "残疾人补贴咨询"),
        ("家中无人照料", "生活较为困难", "希望了解办理流程"),
        ("已上门走访并纳入救助", "已安排志愿者定期探访", "已告知办理流程")),
    "public_order": (
        ("群租房人员复杂", "可疑人员夜间出没", "商铺聚众赌博", "电信诈骗线索"),
        ("居民感到不安", "多次在夜间出现", "请求加强巡逻"),
        ("已加强巡逻防控", "已开展群租房整治", "已依法查处")),
    "drainage": (
        ("道路积水严重", "下水道堵塞反味", "暴雨后小区积水", "雨水井堵塞"),
        ("积水没过脚踝", "车辆无法通行", "一下雨就积水"),
        ("已疏通管道", "已调派泵车排水", "积水已排除")),
}  # fmt: skip

DISPUTE_TEXTS = {
    "neighbour": ("因房屋漏水引发邻里矛盾", "因宅前屋后通行问题发生争执", "因噪音问题产生纠纷"),
    "family": ("夫妻感情不和要求调解", "赡养老人问题家庭矛盾", "遗产分割家庭纠纷"),
    "labour": ("工人追讨拖欠工资", "工伤赔偿争议", "解除劳动合同经济补偿争议"),
    "land": ("宅基地界址争议", "土地承包经营权纠纷", "征地补偿分配纠纷"),
    "property": ("业主与物业服务费争议", "小区公共收益分配纠纷", "装修损坏公共设施纠纷"),
    "traffic": ("交通事故损害赔偿纠纷", "电动车与行人碰撞赔偿争议"),
    "consumer": ("预付卡退费纠纷", "装修合同质量纠纷", "网购商品退换纠纷"),
    "debt": ("民间借贷逾期未还", "买卖合同货款纠纷", "工程款结算纠纷"),
    "medical": ("医疗损害赔偿纠纷", "诊疗费用争议"),
    "tenancy": ("房屋租赁押金退还纠纷", "租户拖欠租金纠纷"),
}
MONEY_KINDS = ("labour", "traffic", "debt", "consumer", "medical", "tenancy", "property")


@dataclass(frozen=True)
class Day:
    day: date
    weight: float  # expected volume relative to an ordinary day
    storm: bool


# ---------------------------------------------------------------- arrivals


def _season(day: date, months: list[float]) -> float:
    """Monthly factors, linearly interpolated between mid-months."""
    position = day.month - 1 + (day.day - 15) / 30
    low = math.floor(position)
    frac = position - low
    return months[low % 12] * (1 - frac) + months[(low + 1) % 12] * frac


def _festival(day: date, kind: str) -> float:
    """Spring Festival dip (approximate lunar dates), National Day and May Day holidays."""
    new_year = min(LUNAR_NEW_YEAR.values(), key=lambda ny: abs((day - ny).days))
    offset = (day - new_year).days
    if -7 <= offset < 0:
        factor = 1 - 0.06 * (offset + 8)  # 0.94 .. 0.58 towards new year's eve
    elif 0 <= offset <= 6:
        factor = 0.42 + 0.03 * offset
    elif 7 <= offset <= 14:
        factor = 0.7 + 0.04 * (offset - 7)
    elif day.month == 10 and day.day <= 7:
        factor = 0.78
    elif day.month == 5 and day.day <= 5:
        factor = 0.88
    else:
        factor = 1.0
    if kind == "dispute" and factor < 1:
        factor = factor**1.5  # the mediation centre is closed on public holidays
    return factor


def _storm_days(seed: int, years: range) -> dict[date, float]:
    """A few summer storm episodes a year (plum rains, typhoons): day -> volume factor."""
    storms: dict[date, float] = {}
    for year in years:
        rng = random.Random(f"{seed}:storms:{year}")
        for _ in range(4):
            start = date(year, 6, 10) + timedelta(days=rng.randrange(80))
            peak = rng.uniform(1.6, 2.4)
            for k in range(rng.randint(1, 3)):
                storms[start + timedelta(days=k)] = peak * (1 - 0.2 * k)
    return storms


def calendar(seed: int, start: date, end: date, kind: str = "incident") -> list[Day]:
    """Relative expected volume of every local day in [start, end] (seeded noise)."""
    week, season = (
        (INCIDENT_WEEK, INCIDENT_SEASON) if kind == "incident" else (DISPUTE_WEEK, DISPUTE_SEASON)
    )
    storms = _storm_days(seed, range(start.year, end.year + 1)) if kind == "incident" else {}
    days = []
    for n in range((end - start).days + 1):
        day = start + timedelta(days=n)
        rng = random.Random(f"{seed}:{kind}:weight:{day.isoformat()}")
        weight = (1 + GROWTH) ** (n / 365) * week[day.weekday()] * _season(day, season)
        weight *= _festival(day, kind) * math.exp(rng.gauss(0, 0.08))
        storm = day in storms
        days.append(Day(day, weight * storms.get(day, 1.0), storm))
    return days


def _hours_before(hours: list[float], at: datetime, tz: ZoneInfo) -> float:
    """Share of a day's volume that arrives before `at` on its local day."""
    local = at.astimezone(tz)
    whole = sum(hours[: local.hour])
    part = hours[local.hour] * (local.minute * 60 + local.second) / 3600
    return (whole + part) / sum(hours)


def daily_counts(days: list[Day], total: int, last_share: float = 1.0) -> list[int]:
    """Split `total` over the days in proportion to their weights, exactly."""
    weights = [d.weight for d in days]
    if weights:
        weights[-1] *= last_share
    scale = total / (sum(weights) or 1)
    counts, running, done = [], 0.0, 0
    for weight in weights:
        running += weight * scale
        upto = round(running)
        counts.append(upto - done)
        done = upto
    return counts


def arrivals(
    rng: random.Random,
    day: date,
    count: int,
    tz: ZoneInfo,
    kind: str = "incident",
    until: datetime | None = None,
) -> list[datetime]:
    """`count` sorted instants on a local day, following the daily rhythm (until `until`)."""
    hours = list(INCIDENT_HOURS if kind == "incident" else DISPUTE_HOURS)
    midnight = datetime.combine(day, time.min, tzinfo=tz)
    limit = 24.0
    if until is not None and until < midnight + timedelta(days=1):
        local = until.astimezone(tz)
        limit = local.hour + (local.minute * 60 + local.second) / 3600
        for h in range(24):
            hours[h] *= max(0.0, min(1.0, limit - h))
    if sum(hours) == 0:
        return []  # nothing arrives in what is left of the day
    table = Table(dict(enumerate(hours)))
    out = []
    for _ in range(count):
        hour = table.pick(rng)
        span = min(1.0, limit - hour) if limit < 24 else 1.0
        seconds = hour * 3600 + rng.random() * 3600 * max(span, 0.0)
        # add the seconds in UTC: a local day's wall clock is not elapsed time across DST
        out.append(midnight.astimezone(UTC) + timedelta(seconds=int(seconds)))
    out.sort()
    return out


# ---------------------------------------------------------------- people and text


@cache
def _person(key: str) -> str:
    rng = random.Random(key)
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _pool(prefix: str, size: int) -> list[str]:
    return [_person(f"{prefix}:{n}") for n in range(size)]


OPERATORS = _pool("operator", 40)
DISPATCHERS = _pool("dispatcher", 8)


def _grid_worker(grid: str) -> str:
    return f"网格员 {_person('grid:' + grid)}（{grid}）"


def _staff(model: Model, department: str, rng: random.Random) -> str:
    name = model.names.get(("department", department), department)
    return f"{name} {_person(f'staff:{department}:{rng.randrange(5)}')}"


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _place(rng: random.Random, grid: GridInfo) -> str:
    community = grid.community_zh
    if community.endswith("村"):
        return f"{community}{rng.randint(1, 12)}组"
    if rng.random() < 0.3:
        a, b = rng.sample(ROADS, 2)
        return f"{a}与{b}交叉口"
    return f"{community}{rng.randint(1, 40)}幢附近"


def _intake(rng: random.Random, channel: str, grid: str) -> str:
    """Who records a report, by channel."""
    if channel == "hotline_12345":
        return f"12345坐席 {rng.choice(OPERATORS)}"
    if channel in ("grid_patrol", "talk_point"):
        worker = _grid_worker(grid)
        return worker if channel == "grid_patrol" else f"说事点 {worker}"
    return {
        "wechat": "微信随手拍小程序",
        "police_110": "110指挥中心",
        "video_ai": "视频AI巡查系统",
        "petition": "县信访局接待窗口",
    }.get(channel, channel)


def _texts(model: Model, category: str) -> tuple:
    if category in TEXTS:
        return TEXTS[category]
    name = model.names.get(("category", category), category)
    return (f"{name}问题",), ("情况需核实",), ("已处置完毕",)


def _point_in(rng: random.Random, grid: GridInfo) -> tuple[float, float]:
    """A uniformly random point (lon, lat) inside the grid polygon (rejection sampling)."""
    x0, y0, x1, y1 = grid.bbox
    ring = grid.ring
    for _ in range(100):
        x, y = x0 + rng.random() * (x1 - x0), y0 + rng.random() * (y1 - y0)
        if point_in_ring(x, y, ring):
            return x, y
    return ring[0]


def point_in_ring(x: float, y: float, ring) -> bool:
    """Even-odd rule; `ring` is closed (first point repeated last)."""
    inside = False
    for (xa, ya), (xb, yb) in zip(ring, ring[1:], strict=False):
        if (ya > y) != (yb > y) and x < xa + (y - ya) * (xb - xa) / (yb - ya):
            inside = not inside
    return inside


# ---------------------------------------------------------------- lifecycles


class _Life:
    """Collects one entity's events and renders them as stream field dicts."""

    def __init__(self, entity: str, ident: str, tz: ZoneInfo):
        self.entity, self.ident, self.tz = entity, ident, tz
        self.events: list[tuple[datetime, str, str, dict]] = []

    def add(self, at: datetime, status: str, actor: str, **fields: str) -> None:
        self.events.append((at, status, actor, fields))

    def render(self, now: datetime | None) -> list[dict]:
        out = []
        ordered = sorted(self.events, key=lambda e: e[0])  # stable: ties keep their order
        for n, (at, status, actor, fields) in enumerate(ordered, start=1):
            if now is not None and at > now:
                break
            out.append(
                {
                    "event_id": f"{self.ident}-E{n}",
                    "entity": self.entity,
                    "id": self.ident,
                    "status": status,
                    "ts": at.astimezone(self.tz).isoformat(timespec="seconds"),
                    "actor": actor,
                    **fields,
                }
            )
        return out


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def _office_hours(rng: random.Random, at: datetime, tz: ZoneInfo) -> datetime:
    """`at`, or the next morning's start of work if it falls outside 8:00-19:00."""
    local = at.astimezone(tz)
    if 8 <= local.hour < 19:
        return at
    morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
    if local.hour >= 19:
        morning += timedelta(days=1)
    return morning.astimezone(UTC) + _minutes(rng, 0, 120)


def _satisfaction(rng: random.Random, late: bool, second_round: bool = False) -> str:
    shares = (0.78, 0.12, 0.05, 0.03, 0.02) if not late else (0.45, 0.20, 0.15, 0.1, 0.1)
    if second_round:
        shares = (0.55, 0.25, 0.1, 0.05, 0.05)
    r, running = rng.random(), 0.0
    for score, share in zip("54321", shares, strict=True):
        running += share
        if r < running:
            return score
    return "1"


def _escalate(life: _Life, rng: random.Random, deadline: datetime, until: datetime):
    """督办: levels 1-3 as the incident stays open past its deadline (until `until`),
    and the duty officer's 认领 of the overdue alert, most of the time."""
    acknowledged = deadline + _minutes(rng, 5, 240)
    if acknowledged < until and rng.random() < P_ACKNOWLEDGE:
        life.add(
            acknowledged,
            "acknowledged",
            f"指挥中心值班长 {rng.choice(DISPATCHERS)}",
            note="已认领，督促承办单位限时办结",
        )
    for level, step in enumerate(ESCALATION_STEPS, start=1):
        at = deadline + step + _minutes(rng, 0, 30)
        if at >= until:
            return
        life.add(
            at,
            "escalated",
            "县社会治理现代化指挥中心",
            level=str(level),
            note="超期未办结，挂牌督办" if level == 1 else f"超期{level}级督办，限期办结",
        )


def _handle(
    model: Model,
    rng: random.Random,
    life: _Life,
    start: datetime,
    deadline: datetime,
    hours: float,
    department: str | None,
    category: str,
    office: bool,
    hard: bool = True,
) -> datetime:
    """Work from `start` to resolution; escalations when it runs late."""
    draw = rng.random()
    if hard and draw < P_STUCK:  # a long-pending case (积案): closed months later
        resolved = deadline + timedelta(days=rng.uniform(*STUCK_DAYS))
    elif hard and draw < P_STUCK + P_VERY_LATE:
        resolved = deadline + timedelta(days=rng.uniform(*VERY_LATE_DAYS))
    else:
        speed = model.department_speed.get(department or "", 0.0)
        factor = math.exp(rng.gauss(MU + speed, SIGMA))
        resolved = max(start + timedelta(hours=hours * factor), start + _minutes(rng, 10, 240))
    if office:
        resolved = _office_hours(rng, resolved, life.tz)
    _escalate(life, rng, deadline, resolved)
    actor = _staff(model, department, rng) if department else "网格员"
    life.add(resolved, "resolved", actor, result=rng.choice(_texts(model, category)[2]))
    return resolved


class Report(NamedTuple):
    """An earlier report a repeat report duplicates (same grid, same category)."""

    ident: str
    grid: str
    category: str


class Visit(NamedTuple):
    at: datetime
    satisfaction: str
    solved: str


def report_of(lifecycle: list[dict]) -> Report | None:
    """The report a lifecycle makes, for a later repeat to name."""
    first = lifecycle[0] if lifecycle else None
    if first is None or first["status"] != "reported":
        return None
    return Report(first["id"], first["grid"], first["category"])


def _dispatch(
    model: Model,
    rng: random.Random,
    life: _Life,
    dispatched: datetime,
    category: str,
    town: str,
) -> tuple[datetime, str]:
    """派单, and for a few the department's 退回 and the centre's new dispatch:
    (the dispatch in force, its department)."""
    table = model.department_table(category, town)
    department = table.pick(rng)
    dispatcher = f"指挥中心调度 {rng.choice(DISPATCHERS)}"
    life.add(dispatched, "dispatched", dispatcher, department=department)
    if rng.random() >= P_RETURN:
        return dispatched, department
    returned = _office_hours(rng, dispatched + _minutes(rng, 30, 600), life.tz)
    life.add(
        returned, "returned", _staff(model, department, rng), reason=rng.choice(RETURN_REASONS)
    )
    other = next((d for d in (table.pick(rng) for _ in range(5)) if d != department), None)
    other = other or rng.choice([d for d in model.departments if d != department])
    again = returned + _minutes(rng, 10, 120)
    life.add(again, "dispatched", dispatcher, department=other, note="退回后重新派单")
    return again, other


def _sign(
    model: Model,
    rng: random.Random,
    life: _Life,
    first_dispatch: datetime,
    dispatched: datetime,
    department: str,
    priority: str,
) -> datetime:
    """签收: most within hours of the dispatch, a few after the sign limit."""
    office = priority in ("normal", "low")
    if rng.random() < P_SIGN_LATE:
        limit = working_days_after(model.sla.calendar, first_dispatch, SIGN_LIMIT_DAYS, life.tz)
        signed = _office_hours(rng, max(limit, dispatched) + _minutes(rng, 30, 1440), life.tz)
    else:
        delay = {"urgent": (3, 15), "high": (10, 60), "normal": (30, 360)}.get(priority, (60, 720))
        signed = dispatched + _minutes(rng, *delay)
        signed = _office_hours(rng, signed, life.tz) if office else signed
    life.add(signed, "signed", _staff(model, department, rng), department=department)
    return signed


def _contact(
    model: Model,
    rng: random.Random,
    life: _Life,
    first_dispatch: datetime,
    signed: datetime,
    resolved: datetime,
    department: str,
) -> None:
    """先行联系: the handler calls the reporter, mostly within 24 h of the dispatch."""
    draw = rng.random()
    if draw < P_CONTACT:
        at = min(signed + _minutes(rng, 5, 240), signed + (resolved - signed) * 0.8)
    elif draw < P_CONTACT + P_CONTACT_LATE:
        at = first_dispatch + timedelta(hours=rng.uniform(24.5, 72))
        if at >= resolved:
            return
    else:
        return
    life.add(at, "contacted", _staff(model, department, rng), note="已与反映人电话联系")


def _extension(
    model: Model,
    rng: random.Random,
    life: _Life,
    signed: datetime,
    deadline: datetime,
    limit: Limit,
    department: str,
) -> datetime | None:
    """延期: approved before the deadline in force; the new deadline (None: none asked)."""
    if deadline <= signed or rng.random() >= P_EXTEND:
        return None
    at = signed + (deadline - signed) * rng.uniform(0.3, 0.85)
    actor = _staff(model, department, rng)
    if limit.unit == "wd":
        days = rng.choice(EXTEND_DAYS)
        new = working_days_after(model.sla.calendar, deadline, days, life.tz)
        life.add(at, "extended", actor, working_days=str(days), reason="情况复杂，申请延期办理")
    else:
        new = deadline + timedelta(hours=limit.amount)
        stamp = new.astimezone(life.tz).isoformat(timespec="seconds")
        life.add(at, "extended", actor, deadline=stamp, reason="需协调相关单位，申请延期")
    return new


def _visit(
    rng: random.Random, life: _Life, closed: datetime, channel: str, late: bool, second: bool
) -> Visit | None:
    """回访: the centre calls back (None: not called)."""
    share = P_VISIT["rated" if channel in RATED else "other"]
    if rng.random() >= share:
        return None
    at = _office_hours(rng, closed + timedelta(hours=rng.uniform(2, 72)), life.tz)
    score = _satisfaction(rng, late, second_round=second)
    solved = "true" if rng.random() < P_SOLVED[score] else "false"
    life.add(at, "visited", f"12345回访 {rng.choice(OPERATORS)}", satisfaction=score, solved=solved)
    return Visit(at, score, solved)


def _close(
    rng: random.Random, life: _Life, resolved: datetime, channel: str, late: bool, second: bool
) -> tuple[datetime, Visit | None]:
    """办结 after the centre's check, then the call-back: (closed, the visit)."""
    closed = _office_hours(rng, resolved + timedelta(hours=rng.uniform(0.5, 24)), life.tz)
    claimed = {"solved": "true"} if rng.random() < P_CLAIMED else {}
    life.add(closed, "closed", "指挥中心核查", **claimed)
    return closed, _visit(rng, life, closed, channel, late, second)


def pick_repeat(rng: random.Random, earlier: list[Report]) -> Report | None:
    """Whether the next report repeats one of the last reports before it (P_DUPLICATE)."""
    if earlier and rng.random() < P_DUPLICATE:
        return rng.choice(earlier[-DUPLICATE_POOL:])
    return None


def remember(earlier: list[Report], lifecycle: list[dict], repeats: Report | None) -> None:
    """Keep a new (not repeated) report for later repeats to name, the last few only."""
    report = None if repeats else report_of(lifecycle)
    if report is not None:
        earlier.append(report)
        del earlier[:-DUPLICATE_POOL]


def incident_events(
    model: Model,
    rng: random.Random,
    ident: str,
    reported_at: datetime,
    now: datetime | None = None,
    storm: bool = False,
    tz: ZoneInfo = SHANGHAI,
    repeats: Report | None = None,
) -> list[dict]:
    """One incident's lifecycle as stream field dicts (events after `now` left out).

    With `repeats`, the report is a repeat of that earlier one (its grid and category)
    and the centre merges it into it."""
    grid = repeats.grid if repeats else model.grid_table.pick(rng)
    info = model.grid_info(grid)
    town = info.town
    local = reported_at.astimezone(tz)
    channel = model.channels.pick(rng)
    category = repeats.category if repeats else None
    category = category or model.category_table(channel, local.month, storm, grid).pick(rng)
    priority = model.priority_table(category).pick(rng)
    limit = model.sla.limit(category, priority, channel)
    deadline = model.sla.deadline(reported_at, category, priority, channel, tz)
    hours = (deadline - reported_at).total_seconds() / 3600
    lon, lat = _point_in(rng, info)
    titles, details, _results = _texts(model, category)
    title = rng.choice(titles)
    phone = _phone(rng) if channel in RATED else None
    contact = f"联系电话{phone}。" if phone and rng.random() < 0.2 else ""
    description = (
        f"{INTRO.get(channel, '')}{_place(rng, info)}{title}，{rng.choice(details)}。"
        f"{rng.choice(ASKS)}{contact}"
    )
    life = _Life("incident", ident, tz)
    intake = _intake(rng, channel, grid)
    reported = {
        "channel": channel,
        "category": category,
        "town": town,
        "grid": grid,
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
        "priority": priority,
        "title": title if rng.random() < 0.5 else f"{info.community_zh}{title}",
        "description": description,
    }
    if phone:
        reported["reporter_phone"] = phone
    life.add(reported_at, "reported", intake, **reported)

    if repeats:
        at = reported_at + _minutes(rng, 5, 90)
        life.add(
            at,
            "merged",
            f"指挥中心审核 {rng.choice(DISPATCHERS)}",
            into=repeats.ident,
            note="重复件，并入原工单办理",
        )
        return life.render(now)

    if rng.random() < REJECT.get(channel, 0.003):
        at = reported_at + _minutes(rng, 5, 120)
        reason = rng.choice(REJECT_REASONS)
        life.add(at, "rejected", f"指挥中心审核 {rng.choice(DISPATCHERS)}", reason=reason)
        return life.render(now)

    if channel in SELF_HANDLED and priority in ("normal", "low") and rng.random() < 0.3:
        worker = _grid_worker(grid)
        started = reported_at + _minutes(rng, 2, 20)
        life.add(started, "in_progress", worker, note="网格员现场处置")
        resolved = started + _minutes(rng, 20, 180)
        life.add(resolved, "resolved", worker, result="网格员就地化解")
        closed = resolved + _minutes(rng, 30, 360)
        life.add(closed, "closed", "指挥中心核查")
        _visit(rng, life, closed, channel, False, False)
        return life.render(now)

    delay = {"urgent": (2, 10), "high": (5, 30)}.get(priority, (10, 90))
    dispatched = reported_at + _minutes(rng, *delay)
    if priority in ("normal", "low") and (local.hour >= 22 or local.hour < 7):
        next_morning = local.replace(hour=8, minute=0, second=0) + timedelta(
            days=1 if local.hour >= 22 else 0
        )
        dispatched = next_morning.astimezone(UTC) + _minutes(rng, 0, 90)
    first_dispatch = dispatched
    dispatched, department = _dispatch(model, rng, life, dispatched, category, town)
    signed = _sign(model, rng, life, first_dispatch, dispatched, department, priority)
    office = priority in ("normal", "low")
    started = signed + _minutes(rng, 5, 60)
    started = _office_hours(rng, started, tz) if office else started
    life.add(started, "in_progress", _staff(model, department, rng), note="正在处置")

    extended = (
        None
        if priority == "urgent"
        else (_extension(model, rng, life, signed, deadline, limit, department))
    )
    if extended is not None:  # the work runs past the first deadline, paced by the new one
        span = (extended - deadline).total_seconds() / 3600
        resolved = _handle(model, rng, life, deadline, extended, span, department, category, office)
        deadline = extended
    else:
        resolved = _handle(model, rng, life, started, deadline, hours, department, category, office)
    _contact(model, rng, life, first_dispatch, signed, resolved, department)
    closed, visit = _close(rng, life, resolved, channel, resolved > deadline, False)

    unhappy = visit is not None and (visit.satisfaction in ("1", "2") or visit.solved == "false")
    if rng.random() < P_REOPEN["unhappy" if unhappy else "other"]:
        reopened = (visit.at if visit else closed) + timedelta(hours=rng.uniform(1, 24))
        life.add(
            reopened,
            "reopened",
            f"12345回访 {rng.choice(OPERATORS)}",
            reason="群众不满意，重新办理",
        )
        again = reopened + _minutes(rng, 30, 360)
        life.add(again, "in_progress", _staff(model, department, rng), note="重新处置")
        second_deadline = model.sla.deadline(reopened, category, priority, channel, tz)
        second_hours = (second_deadline - reopened).total_seconds() / 3600
        resolved = _handle(
            model,
            rng,
            life,
            again,
            second_deadline,
            second_hours,
            department,
            category,
            office,
            False,
        )
        _close(rng, life, resolved, channel, resolved > second_deadline, True)
    return life.render(now)


def dispute_events(
    model: Model,
    rng: random.Random,
    ident: str,
    accepted_at: datetime,
    now: datetime | None = None,
    tz: ZoneInfo = SHANGHAI,
) -> list[dict]:
    """One dispute's lifecycle: accepted -> mediating -> outcome (cut off at `now`)."""
    kind = model.dispute_kinds.pick(rng)
    spec = model.dispute_specs[kind]
    grid = model.grid_table.pick(rng)
    town = model.grid_info(grid).town
    mediation_type = model.cached_table(("types", kind), spec["mediation_types"]).pick(rng)
    mediators = model.mediator_table(kind, mediation_type, town)
    mediator = mediators.pick(rng) if mediators else None
    mediator_name = model.names.get(("mediator", mediator), "县矛盾纠纷调处化解中心")
    life = _Life("dispute", ident, tz)
    fields = {"kind": kind, "town": town, "mediation_type": mediation_type}
    if rng.random() < 0.8:
        fields["grid"] = grid
    if mediator:
        fields["mediator"] = mediator
    fields["title"] = rng.choice(DISPUTE_TEXTS.get(kind, ("矛盾纠纷",)))
    fields["parties"] = str(rng.choice((2, 2, 2, 3, 4, 6, 12)))
    if kind in MONEY_KINDS:
        fields["amount"] = str(round(math.exp(rng.gauss(9.6, 1.1)), -2))
    source = rng.random()
    actor = (
        _grid_worker(grid)
        if source < 0.3
        else ("县矛盾纠纷调处化解中心受理窗口" if source < 0.8 else "12345热线转办")
    )
    life.add(accepted_at, "accepted", actor, **fields)
    mediating = accepted_at + timedelta(hours=rng.uniform(0.5, 48))
    life.add(mediating, "mediating", mediator_name)
    outcome = model.cached_table(("outcomes", kind), spec["outcomes"]).pick(rng)
    days = {
        "mediated": math.exp(rng.gauss(math.log(6), 0.8)),
        "adjudicated": rng.uniform(10, 30),
        "failed": rng.uniform(7, 45),
        "litigation": rng.uniform(10, 50),
        "withdrawn": rng.uniform(1, 15),
    }[outcome]
    at = mediating + timedelta(days=days)
    if outcome == "mediated":
        confirm = "true" if rng.random() < 0.2 else "false"
        life.add(at, "mediated", mediator_name, judicial_confirmation=confirm, note="达成调解协议")
    elif outcome == "adjudicated":
        life.add(at, "adjudicated", "县法院速裁庭", note="速裁结案")
    else:
        life.add(at, outcome, mediator_name)
    return life.render(now)


# ---------------------------------------------------------------- whole histories


def _window(now: datetime, tz: ZoneInfo, days: int) -> tuple[date, date]:
    today = now.astimezone(tz).date()
    return today - timedelta(days=days - 1), today


def day_plan(
    seed: int,
    total: int,
    now: datetime,
    kind: str = "incident",
    tz: ZoneInfo = SHANGHAI,
    days: int = HISTORY_DAYS,
) -> list[tuple[Day, int]]:
    """How many of `total` arrive on each of the `days` local days up to `now`.

    Today only gets the share of its volume that has arrived by `now`; days with none
    are left out.
    """
    start, end = _window(now, tz, days)
    calendar_days = calendar(seed, start, end, kind)
    hours = INCIDENT_HOURS if kind == "incident" else DISPUTE_HOURS
    counts = daily_counts(calendar_days, total, _hours_before(hours, now, tz))
    return [(day, n) for day, n in zip(calendar_days, counts, strict=True) if n]


def _day_arrivals(
    seed: int, day: Day, count: int, now: datetime, kind: str, tz: ZoneInfo
) -> tuple[random.Random, list[datetime]]:
    rng = random.Random(f"{seed}:{kind}:{day.day.isoformat()}")
    until = now if day.day == now.astimezone(tz).date() else None
    return rng, arrivals(rng, day.day, count, tz, kind, until)


def day_history(
    model: Model,
    seed: int,
    day: Day,
    count: int,
    now: datetime,
    kind: str = "incident",
    tz: ZoneInfo = SHANGHAI,
) -> Iterator[list[dict]]:
    """One day's `count` lifecycles (a day's draws depend on nothing but the seed).

    Ids are `INC-YYYYMMDD-NNNN` / `DSP-YYYYMMDD-NNN` by reported day and order.
    """
    rng, instants = _day_arrivals(seed, day, count, now, kind, tz)
    prefix, width = ("INC", 4) if kind == "incident" else ("DSP", 3)
    stamp = day.day.strftime("%Y%m%d")
    earlier: list[Report] = []
    for n, at in enumerate(instants, start=1):
        ident = f"{prefix}-{stamp}-{n:0{width}d}"
        if kind == "incident":
            repeats = pick_repeat(rng, earlier)
            events = incident_events(model, rng, ident, at, now, day.storm, tz, repeats)
            remember(earlier, events, repeats)
            yield events
        else:
            yield dispute_events(model, rng, ident, at, now, tz)


def history(
    model: Model,
    seed: int,
    total: int,
    now: datetime,
    kind: str = "incident",
    tz: ZoneInfo = SHANGHAI,
    days: int = HISTORY_DAYS,
) -> Iterator[list[dict]]:
    """`total` lifecycles over the `days` local days up to `now`, oldest first."""
    for day, count in day_plan(seed, total, now, kind, tz, days):
        yield from day_history(model, seed, day, count, now, kind, tz)
