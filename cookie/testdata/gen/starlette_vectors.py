#!/usr/bin/python3
"""Make cookie/testdata/starlette/vectors.json with Debian's python3-starlette.

Run with the system Python (python3-starlette 0.26, itsdangerous 2.1.2):
    /usr/bin/python3 cookie/testdata/gen/starlette_vectors.py
Every value is the Set-Cookie of the real SessionMiddleware (as FastAPI
mounts it) around a route that stores the session; each verdict is what
the same middleware reads back with the vector's secret_key (the first of
the secrets that gives a non-empty session), max_age off so that the
vectors do not age out. Unverified and refused values show the payload
base64 decodes to, as sessctl shows it (it is signed, not encrypted).
"""
import asyncio, base64, json, os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "starlette", "vectors.json")


def app(secret, set_to=None, name="session"):
    def home(request):
        if set_to is not None:
            request.session.update(set_to)
        return JSONResponse(dict(request.session))
    return Starlette(routes=[Route("/", home)],
                     middleware=[Middleware(SessionMiddleware, secret_key=secret, session_cookie=name, max_age=None)])


def call(a, cookie=None):
    headers = [(b"cookie", cookie.encode())] if cookie else []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/", "raw_path": b"/", "root_path": "", "query_string": b"", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1), "headers": headers}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(m):
        sent.append(m)

    asyncio.run(a(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    cookies = [v.decode() for k, v in start["headers"] if k == b"set-cookie"]
    return json.loads(body), cookies


def make(secret, session, name="session"):
    _, cookies = call(app(secret, session, name))
    pair = cookies[0].split(";")[0]
    return pair.split("=", 1)[1]


def vec(desc, value, secrets, name="session", **extra):
    want = {"format": "starlette", "signature": "unverified" if not secrets else "invalid", "secret_index": -1, "payload": None}
    for i, s in enumerate(secrets):
        got, _ = call(app(s, name=name), "%s=%s" % (name, value))
        if got:
            want.update(signature="valid", secret_index=i, payload=got)
            break
    if want["signature"] != "valid":
        # Unverified or refused: the payload is readable all the same, and
        # sessctl shows it.
        want["payload"] = json.loads(base64.b64decode(value.split(".")[0]))
    want.update(extra)
    return {"desc": desc, "name": name, "value": value, "secrets": secrets, "want": want}


SECRET = "fastapi-secret-key"
session = {"user": "alice", "visitCount": 41, "roles": ["a", "b"]}
c = make(SECRET, session)
vectors = [
    vec("SessionMiddleware", c, [SECRET]),
    vec("no secret given", c, []),
    vec("wrong secret", c, ["another"]),
    vec("the second secret verifies", c, ["another", SECRET]),
    vec("tampered signature", c[:-3] + ("A" if c[-3] != "A" else "B") + c[-2:], [SECRET]),
    vec("unicode", make(SECRET, {"name": "Zoë ☃ 日本語 🍪"}), [SECRET]),
    vec("nested, other cookie name", make(SECRET, {"cart": {"items": [1, 2, 3], "total": 9.5}, "ok": True}, "fastapi"),
        [SECRET], name="fastapi"),
]
with open(OUT, "w") as f:
    json.dump(vectors, f, indent=2, ensure_ascii=False)
    f.write("\n")
