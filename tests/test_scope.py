"""common.scope: the scope's text form, CC_SCOPED_TOKENS, narrowing and the context."""

import pytest

from common.config import ConfigError, load_settings
from common.scope import (
    COUNTY,
    OutOfScope,
    Scope,
    ScopeError,
    contains,
    current,
    narrow,
    parse_scope,
    parse_scoped_tokens,
    using,
)


def test_parse_and_print_round_trip():
    assert parse_scope("county") == COUNTY
    scope = parse_scope(" town: B ,A,A ")
    assert scope == Scope("town", ("A", "B"))
    assert str(scope) == "town:A,B"
    assert parse_scope(str(scope)) == scope
    assert not parse_scope("department:X").sees_disputes


@pytest.mark.parametrize("text", ["", "town", "town:", "village:A", "county:A"])
def test_bad_scopes_are_refused(text):
    with pytest.raises(ScopeError):
        parse_scope(text)


def test_narrow_defaults_to_the_scope_and_refuses_outside():
    towns = Scope("town", ("A", "B"))
    assert narrow(towns, (), ()) == (("A", "B"), ())
    assert narrow(towns, ("B",), ("D1",)) == (("B",), ("D1",))
    with pytest.raises(OutOfScope, match="C"):
        narrow(towns, ("A", "C"), ())
    departments = Scope("department", ("D1",))
    assert narrow(departments, ("A",), ()) == (("A",), ("D1",))
    with pytest.raises(OutOfScope):
        narrow(departments, (), ("D2",))
    assert narrow(COUNTY, ("Z",), ("D9",)) == (("Z",), ("D9",))


def test_contains():
    assert contains(Scope("town", ("A",)), "A", "D1")
    assert not contains(Scope("town", ("A",)), "B", "D1")
    assert contains(Scope("department", ("D1",)), "B", "D1")
    assert not contains(Scope("department", ("D1",)), "A", None)
    assert contains(COUNTY, None, None)


@pytest.mark.no_scope
def test_the_context_has_no_default_and_nests():
    with pytest.raises(LookupError):
        current()
    with using(Scope("town", ("A",))):
        with using(COUNTY):
            assert current() == COUNTY
        assert current().codes == ("A",)
    with pytest.raises(LookupError):
        current()


def test_scoped_tokens_setting():
    tokens = parse_scoped_tokens("t1@town:A,B; t2@department:X;t3@county;")
    assert tokens == {
        "t1": Scope("town", ("A", "B")),
        "t2": Scope("department", ("X",)),
        "t3": COUNTY,
    }
    cfg = load_settings({"CC_SCOPED_TOKENS": "abc@town:T1", "CC_DATA_DIR": "/tmp/cc-scope-test"})
    assert cfg.scoped_tokens == (("abc", Scope("town", ("T1",))),)
    with pytest.raises(ConfigError, match="CC_SCOPED_TOKENS"):
        load_settings({"CC_SCOPED_TOKENS": "nobody", "CC_DATA_DIR": "/tmp/cc-scope-test"})
