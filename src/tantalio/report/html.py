"""HTML rendering of reports: Jinja2 templates shipped with the package, autoescape always on.

Evidence-derived values reach the templates as plain strings and are escaped there; the only
markup inserted unescaped is SVG built by :mod:`tantalio.report.svg`, which escapes its own labels.
Pages are self-contained: inline CSS, inline SVG, thumbnails (if any) as ``data:`` URIs.

One environment per language: ``{{ _("...") }}`` in templates goes through that language's
catalogue (:mod:`tantalio.report.i18n`), with new-style gettext so placeholders are escaped too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tantalio.report.dossier import Dossier
from tantalio.report.i18n import Translator, translations
from tantalio.report.svg import timeline
from tantalio.report.thumbnails import Thumbnail
from tantalio.report.wording import (
    event_kind,
    glossary,
    name_kind,
    origin_name,
    priority_term,
    recovered_area,
    recovered_state,
    role_name,
    status_name,
)


@cache
def environment(lang: str = "en") -> Environment:
    env = Environment(
        loader=PackageLoader("tantalio.report", "templates"),
        autoescape=True,             # every template, whatever its extension
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    tr = Translator(lang)
    env.filters.update(role=lambda c: role_name(tr, c), event=lambda c: event_kind(tr, c),
                       name_kind=lambda c: name_kind(tr, c), status=lambda c: status_name(tr, c),
                       origin=lambda c: origin_name(tr, c), term=lambda c: priority_term(tr, c),
                       recovered_state=lambda c: recovered_state(tr, c), recovered_area=lambda c: recovered_area(tr, c))
    env.globals["glossary"] = glossary(tr)
    return env


def render(template: str, lang: str = "en", **context: Any) -> str:
    return environment(lang).get_template(template).render(lang=lang, **context)


def render_dossier(dossier: Dossier, thumbs: dict[str, Thumbnail] | None = None, linked: frozenset[str] = frozenset(),
                   summary: str | None = None) -> str:
    """The dossier page. ``linked``: persons whose dossiers sit beside this one (co-members are
    linked to them); ``summary``: relative link to the package or run summary, if there is one."""
    tr = Translator(dossier.lang)
    labels = {"messages": tr("messages"), "start": tr("start of the records"), "end": tr("end of the records"),
              "admin": tr("admin from")}
    chart = timeline([(s.group, s.start, s.end, s.admin_from) for s in dossier.spells], dossier.activity,
                     tr("%(person)s: membership and activity", person=dossier.person), labels)
    return render("dossier.html.j2", dossier.lang, title=tr("Dossier %(person)s", person=dossier.person),
                  case=dossier.case, synthetic=dossier.synthetic, d=dossier, thumbs=thumbs, meta=dossier,
                  facts={e.ref: e.fact for e in dossier.evidence}, linked=linked, summary=summary,
                  timeline_svg=Markup(chart))  # noqa: S704 - built by svg.py, which escapes its labels
