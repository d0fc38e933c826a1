"""/opensearch.xml: an OpenSearch description, so that Veiviser can be added to the browser's search bar.

The template must be an absolute URL, so it is built from `public_base_url` when that is set (behind a
proxy) and otherwise from the address the browser used to reach this server.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, Request
from fastapi.responses import Response

router = APIRouter(tags=["page"])

MEDIA_TYPE = "application/opensearchdescription+xml"


def description(base_url: str) -> str:
    """The description document for the search page at `base_url` (no trailing slash)."""
    template = f"{base_url}/?q={{searchTerms}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:moz="http://www.mozilla.org/2006/browser/search/">\n'
        "  <ShortName>Veiviser</ShortName>\n"
        "  <Description>Søk i nasjonale veiledere for psykisk helse og rus</Description>\n"
        "  <InputEncoding>UTF-8</InputEncoding>\n"
        "  <Language>nb</Language>\n"
        f'  <Url type="text/html" method="get" template={quoteattr(template)}/>\n'
        f"  <moz:SearchForm>{escape(base_url)}/</moz:SearchForm>\n"
        "</OpenSearchDescription>\n"
    )


@router.get("/opensearch.xml", include_in_schema=False)
def opensearch(request: Request) -> Response:
    public = request.app.state.settings.public_base_url
    base = (public or str(request.base_url)).rstrip("/")
    return Response(description(base), media_type=MEDIA_TYPE)
