from common.masking import mask_fields, mask_phone, mask_text


def test_mask_phone():
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone("+86 138-0000-1234") == "138****1234"
    assert mask_phone("0510-82345678") == "051****5678"
    assert mask_phone("12345") == "****"
    assert mask_phone(None) is None


def test_mask_text_masks_phone_like_runs_only():
    text = "Call 13800001234 or +86 139 1234 5678, office 0510-82345678; no answer."
    assert mask_text(text) == "Call 138****1234 or 139****5678, office 051****5678; no answer."
    untouched = "INC-20261125-0001 on 20261125, case 123456, ref A13800001234, x13800001234"
    assert mask_text(untouched) == untouched
    assert mask_text("") == ""
    assert mask_text(None) is None


def test_mask_fields():
    fields = {
        "event_id": "E-13800001234",
        "id": "INC-13800001234",
        "title": "Neighbour 13800001234 noisy",
        "description": "call me: 13900001111",
        "reporter_phone": "13800001234",
        "contact": "13700002222",  # a field the contract does not name: free text
        "town": "T1",
    }
    masked = mask_fields(fields)
    assert masked == {
        "event_id": "E-13800001234",
        "id": "INC-13800001234",
        "title": "Neighbour 138****1234 noisy",
        "description": "call me: 139****1111",
        "reporter_phone": "138****1234",
        "contact": "137****2222",
        "town": "T1",
    }
    assert "reporter_phone" not in mask_fields(fields, drop_phone=True)
