"""A small OpenID Connect issuer for tests, served on a thread of the test process.

It speaks the parts of the protocol a relying party uses (discovery, authorisation
code, token, userinfo, JWKS) with real HTTP and RS256-signed ID tokens (PyJWT,
cryptography), and consents to every authorisation at once, for one configured person.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "cityexchange-test"
CLIENT_SECRET = "stub-secret"  # noqa: S105 - a test value


@dataclass
class Issuer:
    url: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))


def _handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, data: dict[str, Any], status: int = 200) -> None:
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": issuer.url,
                        "authorization_endpoint": f"{issuer.url}/authorize",
                        "token_endpoint": f"{issuer.url}/token",
                        "userinfo_endpoint": f"{issuer.url}/userinfo",
                        "jwks_uri": f"{issuer.url}/jwks",
                        "token_endpoint_auth_methods_supported": ["client_secret_post"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                )
            elif parts.path == "/authorize":
                if query.get("client_id") != CLIENT_ID:
                    self._json({"error": "unauthorized_client"}, 400)
                    return
                code = secrets.token_urlsafe(16)
                issuer.codes[code] = {"nonce": query.get("nonce", "")}
                target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            elif parts.path == "/userinfo":
                self._json(issuer.claims)
            elif parts.path == "/jwks":
                public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer.key.public_key()))
                self._json({"keys": [{**public, "kid": "stub", "alg": "RS256", "use": "sig"}]})
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json({"error": "not_found"}, 404)
                return
            grant = issuer.codes.pop(form.get("code", ""), None)
            if grant is None or form.get("client_secret") != CLIENT_SECRET:
                self._json({"error": "invalid_grant"}, 400)
                return
            now = int(time.time())
            id_token = jwt.encode(
                {
                    **issuer.claims,
                    "iss": issuer.url,
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    **({"nonce": grant["nonce"]} if grant["nonce"] else {}),
                },
                issuer.key,
                algorithm="RS256",
                headers={"kid": "stub"},
            )
            self._json(
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": id_token,
                }
            )

    return Handler


@contextmanager
def running_issuer(claims: dict[str, Any]) -> Iterator[Issuer]:
    issuer = Issuer(claims=claims)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(issuer))
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
