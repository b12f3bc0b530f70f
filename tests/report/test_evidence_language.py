"""Role evidence in the reader's language (issue 14 item 4): network analysis writes each
evidence sentence under a message code with its parameters; dossiers in another language
translate the sentence by its code and quote the parameters as recorded."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tantalio.network.attribution import ORIGIN_NOTES
from tantalio.network.evidence_text import SENTENCES, render
from tantalio.report.caseview import CaseView, report_context
from tantalio.report.dossier import build_dossier
from tantalio.report.html import render_dossier
from tantalio.report.i18n import LANGUAGES, Translator
from tantalio.report.wording import evidence_sentence, origin_note
from tantalio.store import CaseStore

from .conftest import GENERATED
from .safety import Page

PLACEHOLDER = re.compile(r"%\(\w+\)s")
SAMPLE = {"time": "2017-02-05T19:39:42Z", "revoked": "2017-03-01T10:00:00Z", "rank": 3, "members": 2, "a": 0, "b": 4,
          "groups": 3, "communities": 3, "participation": 0.6667, "betweenness": 1234.5, "families": 6,
          "labels": ["G-003", "G-004"], "reposted": 5, "imported": 1, "hours": 3.7, "reposts": 5, "posts": 2,
          "messages": 4, "series": "S-7", "taken": "2017-04-16T09:26:44Z", "serial": "B8H0M3B0NU9",
          "camera": "DemoCam X1", "exhibits": ["EX-01", "EX-02"], "taken_from": {"code": "camera.taken_exif"},
          "reasons": [{"code": "camera.exif", "params": {"camera": "DemoCam X1"}}, {"code": "camera.folder"}]}


def _params(code: str) -> dict[str, Any]:
    names = [placeholder[2:-2] for placeholder in PLACEHOLDER.findall(SENTENCES[code].text)]
    return {name: SAMPLE[name] for name in names}


def _codes(item: dict[str, Any]) -> set[str]:
    """The codes of an evidence item and of the parts inside its parameters."""
    found = {item["code"]} if isinstance(item.get("code"), str) else set()
    for value in (item.get("params") or {}).values():
        for sub in value if isinstance(value, list) else [value]:
            if isinstance(sub, dict):
                found |= _codes(sub)
    return found


def _english_fragments(codes: set[str]) -> set[str]:
    """The fixed English words of each sentence (between parameters), three words or more."""
    out = set()
    for code in codes:
        for piece in PLACEHOLDER.split(SENTENCES[code].text):
            piece = piece.strip(" ,;:()")
            if len(piece.split()) >= 3:
                out.add(piece)
    return out


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_sentence_is_translated_and_keeps_its_parameters(lang: str) -> None:
    tr = Translator(lang)
    for code in SENTENCES:
        params = _params(code)
        english, translated = render(code, params), render(code, params, tr, tr.number)
        assert translated != english, (lang, code)
        for fragment in _english_fragments({code}):
            assert fragment not in translated, (lang, code, fragment)
        for quoted in ("2017-02-05T19:39:42Z", "G-003", "B8H0M3B0NU9", "DemoCam X1", "EX-02", "S-7"):
            assert (quoted in english) == (quoted in translated), (lang, code, quoted)


def test_numbers_follow_the_language_and_english_is_as_recorded() -> None:
    params = _params("bridge.spread")
    assert render("bridge.spread", params) == \
        "member of 3 groups spread over 3 communities (participation coefficient 0.67)"
    assert "0,67" in render("bridge.spread", params, Translator("de"), Translator("de").number)
    assert "1.234,5" in render("bridge.betweenness", {"betweenness": 1234.5}, Translator("de"), Translator("de").number)
    en = Translator("en")
    assert render("bridge.spread", params, en, en.number) == render("bridge.spread", params)


def test_items_without_a_known_code_are_shown_as_recorded() -> None:
    tr = Translator("es")
    assert evidence_sentence(tr, {"text": "written by an older version"}) == "written by an older version"
    assert evidence_sentence(tr, {"code": "no.such.code", "params": {}, "text": "as recorded"}) == "as recorded"
    assert evidence_sentence(tr, {"code": "admin.granted", "params": {}, "text": "granted admin at ?"}) == \
        "granted admin at ?"     # a parameter missing: never a half-translated sentence
    assert evidence_sentence(tr, {"code": "admin.granted", "params": {"time": "2017-01-01T00:00:00Z"}}) == \
        "nombrado administrador el 2017-01-01T00:00:00Z"
    assert origin_note(tr, "observed", "a note someone wrote") == "a note someone wrote"
    assert origin_note(tr, "observed", ORIGIN_NOTES["observed"]) != ORIGIN_NOTES["observed"]


def test_demo_evidence_carries_codes_and_its_english_text(small_demo: Path) -> None:
    with CaseStore.open(small_demo) as store:
        rows = store.conn.execute("SELECT role, evidence FROM person_role").fetchall()
    assert rows
    for role, evidence in rows:
        for item in json.loads(evidence):
            assert item["code"] in SENTENCES, (role, item)
            assert item["text"] == render(item["code"], item["params"]), item


@pytest.mark.parametrize("lang", ["es", "de"])
def test_dossiers_in_another_language_hold_no_english_evidence_sentence(small_demo: Path, lang: str) -> None:
    with CaseStore.open(small_demo) as store:
        view = CaseView(store, report_context(store, lang, "analyst1", GENERATED))
        evidence = [json.loads(e) for (e,) in store.conn.execute("SELECT evidence FROM person_role")]
        notes = {n for (n,) in store.conn.execute("SELECT note FROM first_sighting WHERE note IS NOT NULL")}
        pages = {label: Page(render_dossier(build_dossier(view, label))).all_text for label in sorted(view.persons)}
    english = {item["text"] for items in evidence for item in items}
    codes = set().union(*(_codes(item) for items in evidence for item in items))
    assert {"admin.created_at", "admin.listed_admin", "consumer.member", "distributor.moved",
            "producer.camera_original", "suspected_producer.first_observed"} <= codes
    fragments = _english_fragments(codes) | notes
    assert notes and notes <= set(ORIGIN_NOTES.values())
    text = "\n".join(pages.values())
    assert [s for s in english if s in text] == []
    assert sorted(f for f in fragments if f in text) == []
    tr = Translator(lang)
    translated = {evidence_sentence(tr, item) for items in evidence for item in items}
    assert all(any(sentence in page for page in pages.values()) for sentence in translated)
