"""The case as CASE/UCO JSON-LD (CASE 1.x, https://caseontology.org): what other forensic tools
and partners read without knowing Tantalio.

What is written, and as what:

* each **exhibit** is an ``investigation:ProvenanceRecord`` (its ``exhibitNumber``, the device
  description) whose objects are its source files, tied by a ``Seized_From`` relationship to the
  person it was seized from (``exhibit_owner``: ``--owner`` or the device's own account);
* every **source file** and every **media item** is an ``observable:File`` /
  ``observable:ObservableObject`` with a ``ContentDataFacet`` carrying its MD5, SHA-1 and SHA-256;
* **persons** are ``identity:Person`` (the label, roles and priority in the description), tied
  by ``core:Relationship`` ``Has_Account`` to their **accounts** (one per phone number, JID,
  username or displayed name, with ``AccountFacet`` and, for phones, ``PhoneAccountFacet``);
* **groups** are observable objects named by their label; persons are tied to them by
  ``Member_Of`` relationships;
* every **message** row is an ``observable:Message`` (``MessageFacet``: text, sent time, sender
  account, group), listed in its exhibit's provenance record, its location in the description;
* the **investigative actions** are the audit log's ingests, hash-list imports, analyses and
  report runs (``investigation:InvestigativeAction``: start time, performer, Tantalio as the
  instrument, the exhibit's files as objects, its provenance record as result).

Node IRIs are ``kb:`` + a type + a UUID made from what the node is (uuid5), so the same case gives
the same graph. Checked with ``case_validate`` (PyPI ``case-utils``) in the tests when it installs.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any

from tantalio import __version__
from tantalio.store.sqlite import CaseStore

NAMESPACE = uuid.UUID("6f1d2c3a-5b7e-4c1a-9e0f-7a1a2b3c4d5e")   # Tantalio's uuid5 namespace for node ids
CONTEXT = {
    "kb": "urn:tantalio:kb:",
    "action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "investigation": "https://ontology.caseontology.org/case/investigation/",
    "observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
ACTIONS = ("ingest", "hashlist.import", "analyze.media", "analyze.network", "report.run")


def node_id(kind: str, *key: object) -> str:
    return f"kb:{kind}-{uuid.uuid5(NAMESPACE, json.dumps([kind, *key], default=str))}"


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _time(value: str) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value}


def _integer(value: int) -> dict[str, str]:
    return {"@type": "xsd:integer", "@value": str(value)}


def _hashes(**digests: str | None) -> list[dict[str, Any]]:
    """Hash nodes; their IRI is made from method and value (the same hash is the same node)."""
    return [{"@id": node_id("Hash", method, value.lower()), "@type": "types:Hash", "types:hashMethod": method,
             "types:hashValue": {"@type": "xsd:hexBinary", "@value": value.upper()}}
            for method, value in (("MD5", digests.get("md5")), ("SHA1", digests.get("sha1")),
                                  ("SHA256", digests.get("sha256"))) if value]


def _facets(owner: str, *facets: dict[str, Any]) -> list[dict[str, Any]]:
    """Facets of a node, each with its own IRI (UCO wants every facet to be a named node)."""
    return [{"@id": node_id("Facet", owner, f["@type"]), **f} for f in facets]


def case_graph(store: CaseStore) -> dict[str, Any]:
    """The whole case as one JSON-LD document."""
    c = store.conn
    graph: list[dict[str, Any]] = []
    tool = node_id("Tool", "tantalio")
    graph.append({"@id": tool, "@type": "tool:Tool", "core:name": "Tantalio", "tool:version": __version__,
                  "tool:toolType": "forensic analysis"})
    people = dict(c.execute("SELECT id, label FROM person"))
    chats = dict(c.execute("SELECT id, label FROM chat"))
    synthetic = store.meta("synthetic") == "1"

    files_of: dict[str, list[str]] = defaultdict(list)
    file_node: dict[int, str] = {}
    for fid, ex, path, size, sha256, md5, sha1, mime in c.execute(
            "SELECT id, exhibit_id, path, size, sha256, md5, sha1, mime FROM source_file ORDER BY exhibit_id, path"):
        iri = node_id("File", ex, path)
        file_node[fid] = iri
        files_of[ex].append(iri)
        content: dict[str, Any] = {"@type": "observable:ContentDataFacet", "observable:sizeInBytes": _integer(size),
                                   "observable:hash": _hashes(md5=md5, sha1=sha1, sha256=sha256)}
        if mime:
            content["observable:mimeType"] = mime
        graph.append({"@id": iri, "@type": "observable:File", "core:hasFacet": _facets(
            iri, {"@type": "observable:FileFacet", "observable:fileName": path.rsplit("/", 1)[-1],
                  "observable:filePath": path, "observable:sizeInBytes": _integer(size)}, content)})

    accounts: dict[int, str] = {}
    for iid, kind, value, norm, pid in c.execute(
            "SELECT id, kind, value, normalized, person_id FROM identifier WHERE kind IN "
            "('phone', 'jid', 'lid', 'telegram_id', 'username', 'display_name') ORDER BY id"):
        iri = node_id("Account", kind, norm, iid)
        accounts[iid] = iri
        facets: list[dict[str, Any]] = [{"@type": "observable:AccountFacet", "observable:accountIdentifier": value}]
        if kind == "phone":
            facets.append({"@type": "observable:PhoneAccountFacet", "observable:phoneNumber": norm})
        graph.append({"@id": iri, "@type": "observable:ObservableObject", "core:name": f"{kind} {value}",
                      "core:hasFacet": _facets(iri, *facets)})
        if pid in people:
            graph.append(_relationship(node_id("Person", people[pid]), iri, "Has_Account"))

    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in c.execute("SELECT person_id, role FROM person_role ORDER BY person_id, role"):
        roles[pid].append(role)
    priority = dict(c.execute("SELECT person_id, priority FROM person_score"))
    for pid, label in sorted(people.items(), key=lambda kv: kv[1]):
        graph.append({"@id": node_id("Person", label), "@type": "identity:Person", "core:name": label,
                      "core:description": f"Tantalio person {label}; roles: {', '.join(roles[pid]) or 'none'}; "
                                          f"priority {priority.get(pid, 0.0)}"})
    for cid, label, platform in c.execute("SELECT id, label, platform FROM chat WHERE is_group = 1 ORDER BY label"):
        names = [n for (n,) in c.execute("SELECT name FROM chat_name WHERE chat_id=? ORDER BY coalesce(first_seen, '')",
                                         (cid,))]
        graph.append({"@id": node_id("Group", label), "@type": "observable:ObservableObject", "core:name": label,
                      "core:description": f"{platform} group; names seen: {'; '.join(names) or '-'}"})
    for cid, pid in c.execute("SELECT DISTINCT chat_id, person_id FROM membership_spell ORDER BY chat_id, person_id"):
        if pid in people and cid in chats:
            graph.append(_relationship(node_id("Person", people[pid]), node_id("Group", chats[cid]), "Member_Of"))

    messages_of: dict[str, list[str]] = defaultdict(list)
    for ex, path, loc, sender, time, text, kind, chat, fwd in c.execute(
            "SELECT m.exhibit_id, f.path, m.location, m.sender_identifier_id, m.time, m.text, m.kind, o.chat_id, "
            "m.forwarded FROM message m JOIN chat_obs o ON o.id = m.chat_obs_id "
            "JOIN source_file f ON f.id = m.source_file_id ORDER BY m.id"):
        iri = node_id("Message", ex, path, loc)
        facet: dict[str, Any] = {"@type": "observable:MessageFacet", "observable:messageText": text,
                                 "observable:messageType": kind}
        if time:
            facet["observable:sentTime"] = _time(time)
        if sender in accounts:
            facet["observable:from"] = _ref(accounts[sender])
        if chat in chats and chat is not None:
            facet["observable:to"] = [_ref(node_id("Group", chats[chat]))]
        graph.append({"@id": iri, "@type": "observable:Message", "core:hasFacet": _facets(iri, facet),
                      "core:description": f"exhibit {ex}, {path}, {loc}"
                                          + ("" if fwd is None else f", forwarded: {'yes' if fwd else 'no'}")})
        messages_of[ex].append(iri)

    for sha, md5, sha1, size, mime, status in c.execute(
            "SELECT sha256, md5, sha1, size, mime, status FROM media_item ORDER BY sha256"):
        content = {"@type": "observable:ContentDataFacet", "observable:hash": _hashes(md5=md5, sha1=sha1, sha256=sha)}
        if size is not None:
            content["observable:sizeInBytes"] = _integer(size)
        if mime:
            content["observable:mimeType"] = mime
        media = node_id("Media", sha)
        graph.append({"@id": media, "@type": "observable:ObservableObject",
                      "core:description": f"media item, hash-list status: {status}",
                      "core:hasFacet": _facets(media, content)})

    record_of: dict[str, str] = {}
    for ex, desc, country, registered, owner, basis in c.execute(
            "SELECT e.id, e.description, e.country, e.registered_at, o.person_id, o.basis FROM exhibit e "
            "LEFT JOIN exhibit_owner o ON o.exhibit_id = e.id ORDER BY e.id"):
        iri = node_id("ProvenanceRecord", ex)
        record_of[ex] = iri
        seized = f", seized from {people[owner]} ({basis})" if owner in people else ""
        record: dict[str, Any] = {"@id": iri, "@type": "investigation:ProvenanceRecord",
                                  "investigation:exhibitNumber": ex,
                                  "core:description": f"{desc or 'exhibit'} ({country or 'country unknown'}), "
                                                      f"registered {registered}{seized}",
                                  "core:object": [_ref(i) for i in files_of[ex] + messages_of[ex]]}
        graph.append(record)
        if owner in people:   # the owner as analysis resolved them (--owner, or the evidence's own account)
            graph.append(_relationship(iri, node_id("Person", people[owner]), "Seized_From"))

    for seq, at, actor, action, details in c.execute(
            f"SELECT seq, at, actor, action, details FROM audit_event WHERE action IN ({','.join('?' * len(ACTIONS))}) "  # noqa: S608
            "ORDER BY seq", ACTIONS):
        body = json.loads(details) if details else {}
        performer = node_id("Analyst", actor)
        graph.append({"@id": performer, "@type": "identity:Identity", "core:name": actor})
        node: dict[str, Any] = {"@id": node_id("Action", seq), "@type": "investigation:InvestigativeAction",
                                "core:name": action, "action:startTime": _time(at), "action:performer": _ref(performer),
                                "action:instrument": _ref(tool)}
        exhibit = body.get("exhibit") if isinstance(body, dict) else None
        if action == "ingest" and exhibit in record_of:
            node["action:object"] = [_ref(i) for i in files_of[exhibit]]
            node["action:result"] = [_ref(record_of[exhibit])]
        graph.append(node)
    graph = list({n["@id"]: n for n in graph if "@id" in n}.values()) + [n for n in graph if "@id" not in n]
    doc: dict[str, Any] = {"@context": CONTEXT, "@graph": graph}
    if synthetic:
        doc["rdfs:comment"] = "SYNTHETIC DEMO DATA"
        doc["@context"] = {**CONTEXT, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    return doc


def _relationship(source: str, target: str, kind: str) -> dict[str, Any]:
    return {"@id": node_id("Relationship", source, target, kind), "@type": "core:Relationship",
            "core:source": [_ref(source)], "core:target": [_ref(target)], "core:kindOfRelationship": kind,
            "core:isDirectional": True}
