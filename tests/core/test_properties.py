"""Properties of the keyset cursor codec (gcmhub/cursors.py), checked with hypothesis.

A cursor is what a list hands out as `next` and takes back as `cursor`: any position it
encodes decodes to the same position, and anything else a client sends is refused with
BadParameter naming `cursor` (a 400), never another exception (a 500).
"""

from __future__ import annotations

import base64
import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gcmhub.cursors import decode_cursor, encode_cursor
from gcmhub.errors import BadParameter

PROPERTIES = settings(max_examples=300, deadline=None)
KEYS = ("s", "k", "i")
SCALAR = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)
POSITION = st.fixed_dictionaries(
    {"s": st.text(), "k": SCALAR, "i": st.integers()},
    optional={"p": st.integers(), "extra": JSON_VALUE},
)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@PROPERTIES
@given(POSITION)
@example({"s": "é\u2028\x00", "k": "😀", "i": -1})
@example({"s": "", "k": 10**40, "i": 0})
def test_every_position_round_trips(position: dict[str, object]) -> None:
    cursor = encode_cursor(position)
    assert cursor.isascii() and "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor, KEYS) == position


def refused(cursor: str) -> bool:
    """Decode a cursor; True when refused as BadParameter on `cursor`."""
    try:
        decoded = decode_cursor(cursor, KEYS)
    except BadParameter as refusal:
        assert refusal.parameter == "cursor"
        return True
    assert isinstance(decoded, dict) and all(key in decoded for key in KEYS)
    return False


@PROPERTIES
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="),
        st.binary().map(b64),
        JSON_VALUE.map(lambda v: b64(json.dumps(v).encode())),
        st.dictionaries(st.sampled_from(KEYS), JSON_VALUE).map(
            lambda v: b64(json.dumps(v).encode())
        ),
    )
)
@example("")
@example("====")
@example("é")
@example(b64(b"\xff\xfe{"))
@example(b64(b'{"s": 1, "k": 2}'))
@example(b64(b"1" * 5000))  # an integer longer than Python parses
def test_anything_else_is_refused_as_a_bad_cursor(cursor: str) -> None:
    refused(cursor)


def test_a_deeply_nested_cursor_is_refused() -> None:
    assert refused(b64(b"[" * 2000))
