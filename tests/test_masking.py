"""Masking of phone numbers in free text, checked against a phone-number library: a
corpus of real-looking Chinese reports, each number written the ways people write
them, must come out with no number the library still finds."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from common.masking import mask_fields, mask_phone, mask_text

FULL_WIDTH = str.maketrans("0123456789 +()-", "０１２３４５６７８９　＋（）－")
HALF_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
MOBILE_PREFIXES = ("130", "135", "138", "139", "150", "158", "177", "186", "188", "199")
AREA_CODES = ("010", "021", "020", "0510", "0512", "0571", "0755", "025")
TEMPLATES = (
    "联系电话{p}。",
    "市民反映楼下餐饮店油烟扰民，联系人王先生{p}，请尽快处理",
    "联系人王先生{p}",
    "来电人李女士（{p}）称春晖社区3幢路灯不亮已一周",
    "投诉人电话：{p}，要求上门核实",
    "请网格员张三{p}到现场处置",
    "微信wx{p}，备注工单号",
    "wx{p}",
    "居民反映小区东门积水严重，电话{p}转物业",
    "回访电话{p}无人接听，已短信告知",
    "{p}",
    "Tel:{p}",
    "反映人称其电话{p}，另一号码{p}也可联系",
)


def _mobile_formats(d: str) -> list[str]:
    return [
        d,
        f"{d[:3]} {d[3:7]} {d[7:]}",
        f"{d[:3]}-{d[3:7]}-{d[7:]}",
        f"{d[:3]}.{d[3:7]}.{d[7:]}",
        f"+86 {d}",
        f"+86-{d[:3]}-{d[3:7]}-{d[7:]}",
        f"0086{d}",
        d.translate(FULL_WIDTH),
        f"{d[:3]} {d[3:7]} {d[7:]}".translate(FULL_WIDTH),
    ]


def _landline_formats(area: str, number: str) -> list[str]:
    return [
        f"{area}-{number}",
        f"({area}) {number[:4]} {number[4:]}",
        f"（{area}）{number}",
        f"{area} {number}",
        f"{area}{number}",
        f"({area}){number}".translate(FULL_WIDTH),
    ]


def _numbers(rng: random.Random) -> list[tuple[str, str]]:
    """(how it is written, the digits a mask keeps around) for valid Chinese numbers."""
    out = []
    for _ in range(MOBILES):
        digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        assert phonenumbers.is_valid_number(phonenumbers.parse(digits, "CN")), digits
        out += [(written, digits) for written in _mobile_formats(digits)]
    for area in AREA_CODES:
        number = f"{rng.randint(2, 8)}{rng.randrange(10**7):07d}"
        national = area + number
        assert phonenumbers.is_valid_number(phonenumbers.parse(national, "CN")), national
        out += [(written, national) for written in _landline_formats(area, number)]
    return out


def _found(text: str, leniency=phonenumbers.Leniency.POSSIBLE) -> list[str]:
    return [m.raw_string for m in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=leniency)]


CORPUS_SEED = 14
MOBILES = 150


def test_no_number_in_a_corpus_of_reports_survives_masking():
    rng = random.Random(CORPUS_SEED)
    numbers = _numbers(rng)
    for written, digits in numbers:
        assert _found(written), written  # the oracle reads it as a phone number
        text = rng.choice(TEMPLATES).format(p=written)
        masked = mask_text(text)
        assert f"{digits[:3]}****{digits[-4:]}" in masked, (text, masked)
        assert digits[3:-4] not in masked.translate(HALF_WIDTH_DIGITS)
        assert _found(masked, phonenumbers.Leniency.VALID) == [], (text, masked)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("联系电话13800001234", "联系电话138****1234"),
        ("wx13700002222", "wx137****2222"),
        ("联系人王先生13900001111", "联系人王先生139****1111"),
        ("１３８００００１２３４", "138****1234"),
        ("138 0000 5678", "138****5678"),
        ("138.1234.5678", "138****5678"),
        ("0512-66778899", "051****8899"),
        ("(0571) 8888 8888", "057****8888"),
        ("+86 571 8888 8888", "571****8888"),
        ("Call 13800001234 or +86 139 1234 5678, office 0510-82345678.",
         "Call 138****1234 or 139****5678, office 051****5678."),
    ],
)  # fmt: skip
def test_the_probes_numbers_are_masked(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "INC-20261125-0001",
        "工单20261125123456已办结",
        "20261125123456",
        "E-138000012345678",
        "2026-11-25 13:00 处置完毕",
        "坐标 31.895105, 120.299259",
        "拨打12345热线",
        "春晖社区第1网格 CD-001",
        "",
    ],
)
def test_ids_dates_and_short_numbers_stay(text):
    assert mask_text(text) == text


def test_mask_phone():
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone("+86 138-0000-1234") == "138****1234"
    assert mask_phone("１３８００００１２３４") == "138****1234"
    assert mask_phone("0510-82345678") == "051****5678"
    assert mask_phone("12345") == "****"
    assert mask_phone(None) is None
    assert mask_text(None) is None


def test_mask_fields_masks_the_actor_and_every_free_text_field():
    fields = {
        "event_id": "E-13800001234",
        "id": "INC-13800001234",
        "actor": "网格员 王先生13800001234",
        "title": "Neighbour 13800001234 noisy",
        "description": "call me: 13900001111",
        "note": "回电13700002222",
        "reason": "号码 0512-66778899 空号",
        "result": "已联系 138 0000 5678",
        "reporter_phone": "13800001234",
        "contact": "13700002222",  # a field the contract does not name: free text
        "town": "T1",
    }
    masked = mask_fields(fields)
    assert masked == {
        "event_id": "E-13800001234",
        "id": "INC-13800001234",
        "actor": "网格员 王先生138****1234",
        "title": "Neighbour 138****1234 noisy",
        "description": "call me: 139****1111",
        "note": "回电137****2222",
        "reason": "号码 051****8899 空号",
        "result": "已联系 138****5678",
        "reporter_phone": "138****1234",
        "contact": "137****2222",
        "town": "T1",
    }
    assert "reporter_phone" not in mask_fields(fields, drop_phone=True)
