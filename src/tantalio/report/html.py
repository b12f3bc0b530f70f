"""HTML rendering of reports: Jinja2 templates shipped with the package, autoescape always on.

Evidence-derived values reach the templates as plain strings and are escaped there; the only
markup inserted unescaped is SVG built by :mod:`tantalio.report.svg`, which escapes its own labels.
Pages are self-contained: inline CSS, inline SVG, thumbnails (if any) as ``data:`` URIs.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tantalio.report.dossier import Dossier
from tantalio.report.svg import timeline
from tantalio.report.thumbnails import Thumbnail


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("tantalio.report", "templates"),
        autoescape=True,             # every template, whatever its extension
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_dossier(dossier: Dossier, thumbs: dict[str, Thumbnail] | None = None) -> str:
    chart = timeline([(s.group, s.start, s.end, s.admin_from) for s in dossier.spells], dossier.activity, f"{dossier.person}: membership and activity")
    return render("dossier.html.j2", title=f"Dossier {dossier.person}", case=dossier.case,
                  synthetic=dossier.synthetic, d=dossier, thumbs=thumbs,
                  facts={e.ref: e.fact for e in dossier.evidence}, timeline_svg=Markup(chart))  # noqa: S704
