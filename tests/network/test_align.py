from __future__ import annotations

from tantalio.network.align import MEDIA, Entry, align, content_key, estimate_offset


def _entries(items: list[tuple[float, str]], start: int = 0) -> list[Entry]:
    return [Entry(start + i, t, key, (start + i,)) for i, (t, key) in enumerate(items)]


def test_constant_clock_skew_is_estimated_and_corrected() -> None:
    a = _entries([(0, "t:hola"), (60, "t:que tal"), (130, "t:ok"), (400, "t:foto nueva"), (900, "sha:aa")])
    b = _entries([(t + 437, k) for t, k in [(0, "t:hola"), (60, "t:que tal"), (130, "t:ok"), (400, "t:foto nueva"),
                                            (900, "sha:aa")]], start=100)
    offset, support = estimate_offset(a, b)
    assert abs(offset - 437) < 1 and support >= 4
    al = align(a, b)
    assert len(al.pairs) == 5 and al.strong == 5


def test_messages_missing_from_one_recording() -> None:
    a = _entries([(0, "t:uno"), (60, "t:dos"), (120, "t:tres"), (180, "t:cuatro"), (240, "t:cinco")])
    b = _entries([(0, "t:uno"), (120, "t:tres"), (240, "t:cinco"), (300, "t:seis")], start=100)
    al = align(a, b)
    assert [(x.key, y.key) for x, y in al.pairs] == [("t:uno", "t:uno"), ("t:tres", "t:tres"), ("t:cinco", "t:cinco")]


def test_minute_precision_and_media_without_hash() -> None:
    # a .txt export truncates to minutes and writes "<image omitted>": only "some media" at that time
    a = _entries([(12, "t:mira"), (75, "sha:bb"), (130, "t:gracias")])
    b = _entries([(0, "t:mira"), (60, MEDIA), (120, "t:gracias")], start=100)
    al = align(a, b)
    assert len(al.pairs) == 3 and al.strong == 2


def test_repeated_short_texts_do_not_pair_out_of_order() -> None:
    a = _entries([(0, "t:ok"), (1000, "t:ok"), (2000, "t:ok")])
    b = _entries([(2000, "t:ok")], start=100)
    al = align(a, b)
    assert [x.t for x, _ in al.pairs] == [2000]


def test_content_key_normalises_text_and_ignores_system_lines() -> None:
    assert content_key("\u200eHola  Pepe ", "text", None) == content_key("hola pepe", "text", None)
    assert content_key("X added Y", "system", None) is None
    assert content_key("IMG-1.jpg (file attached)", "media", "AB" * 32) == "sha:" + "ab" * 32
    assert content_key("<image omitted>", "media", None) == MEDIA
