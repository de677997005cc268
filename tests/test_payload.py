from __future__ import annotations

import base64

import pytest
import zxingcpp
from conftest import SECURE_NEW_SERIAL
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ballot import payload
from kiosk.ballot.campaign import short_hash
from kiosk.errors import KioskError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
CAMP, INST, LAYOUT = short_hash("camp"), short_hash("inst"), 0x1234ABCD


def make(serial=b"\x01" * 8, key=KEY, camp=CAMP, inst=INST, layout=LAYOUT):
    return payload.make_payload(key, camp, inst, layout, serial).text()


def check(text, **kw):
    args = dict(campaign=CAMP, institution=INST, key=KEY, known_layouts={LAYOUT})
    args.update(kw)
    return payload.verify(text, **args)


def code_of(text, **kw):
    with pytest.raises(KioskError) as info:
        check(text, **kw)
    return info.value.code


def test_round_trip_and_size():
    serial = payload.new_serial()
    text = make(serial)
    assert len(text) == payload.TEXT_LEN == 60
    p = check(text)
    assert (p.serial, p.layout, p.campaign, p.institution) == (serial, LAYOUT, CAMP, INST)
    # fits a version-3 symbol (29x29 modules) at error correction M
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    assert code.to_image(scale=1, add_quiet_zones=False).shape == (29, 29)
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # alphanumeric mode


def test_serials_are_random_and_64_bits():
    assert SECURE_NEW_SERIAL.__module__ == "kiosk.ballot.payload"  # the kiosk's own, not the tests' seeded one
    serials = {SECURE_NEW_SERIAL() for _ in range(1000)}
    assert len(serials) == 1000 and all(len(s) == 8 for s in serials)
    s = next(iter(serials))
    assert payload.serial_from_text(payload.serial_text(s)) == s


def test_every_changed_character_is_rejected():
    text = make()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for i in range(len(payload.PREFIX), len(text)):
        other = alphabet[(alphabet.index(text[i]) + 7) % 32]
        changed = text[:i] + other + text[i + 1:]
        assert code_of(changed) in {"payload.bad_tag", "payload.foreign_campaign", "payload.other_institution",
                                    "payload.bad_version"}, i


def test_distinct_reasons():
    text = make()
    assert code_of(text[:-1] + ("B" if text[-1] == "A" else "A")) == "payload.bad_tag"
    assert code_of(make(key=OTHER_KEY)) == "payload.bad_tag"  # tagged with another institution's key
    assert code_of(make(inst=short_hash("other"), key=OTHER_KEY)) == "payload.other_institution"
    assert code_of(make(camp=short_hash("other-campaign"))) == "payload.foreign_campaign"
    assert code_of(make(layout=7)) == "payload.unknown_layout"
    assert code_of("https://example.org/not-a-ballot") == "payload.not_ballot"
    assert code_of("LSK:TOOSHORT") == "payload.malformed"
    assert code_of("LSK:" + "a" * 56) == "payload.malformed"  # lowercase is not canonical
    body = bytearray(base64.b32decode(make()[4:]))
    body[0] = 9
    assert code_of("LSK:" + base64.b32encode(bytes(body)).decode()) == "payload.bad_version"
    assert code_of(b"\xff\xfe") == "payload.not_ballot"


def test_messages_exist_in_both_languages():
    err = KioskError("payload.bad_tag")
    assert "viltojums" in err.message("lv") and "forged" in err.message("en")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=120), st.text(max_size=120),
                 st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=", max_size=80).map(lambda s: "LSK:" + s)))
def test_parser_never_crashes_on_random_input(data):
    try:
        check(data)
    except KioskError as exc:
        assert exc.code.startswith("payload.")
    else:  # pragma: no cover - would be a forged tag found by chance
        pytest.fail("random input verified")


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=35, max_size=35))
def test_random_bodies_are_structurally_parsed_or_refused(body):
    text = "LSK:" + base64.b32encode(body).decode()
    try:
        p = payload.decode_text(text)
    except KioskError as exc:
        assert exc.code == "payload.bad_version"
    else:
        assert p.version == 1
        assert not p.tag_valid(KEY)  # a random 112-bit tag never verifies
