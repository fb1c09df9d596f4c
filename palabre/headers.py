"""Security headers on every response: no framing, no content sniffing, no address leaked to other sites."""

from __future__ import annotations

from flask import Flask, Response

# The pages load only this site's stylesheet and draw their charts and QR codes as inline SVG: no
# script, no inline style, nothing from elsewhere. frame-ancestors 'none' stops clickjacking of the
# admin forms (what X-Frame-Options: DENY did for older browsers).
# media-src 'self': staff listen to recorded answers from this site's own authenticated route.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; media-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # A link followed to another site must not carry a dashboard or results address with its slug.
    "Referrer-Policy": "same-origin",
}


def init_headers(app: Flask) -> None:
    """Add the security headers to every response, errors included."""
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    """Set each header unless the view chose its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
