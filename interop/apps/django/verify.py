"""Reads Django session cookies with Django's own code, one cookie value a
line on stdin, one JSON line out:
  signed: {"payload": ..., "issued_at": unix} or {"error": ...}, through
          django.core.signing.loads with the signed_cookies backend's salt,
          serializer and max_age (what SessionStore.load calls);
  db:     {"payload": <the session key>, "data": ...} from SessionStore.load
          on the SQLite file, or {"error": ...} when no such session;
  store:  no input; every session in the database as {"key": data} (the
          store's truth after a load test).
/usr/bin/python3 verify.py signed|db|store SECRET_KEY [DB]
"""
import json
import sys

import django
from django.conf import settings

mode, secret = sys.argv[1], sys.argv[2]
settings.configure(
    SECRET_KEY=secret,
    INSTALLED_APPS=["django.contrib.sessions"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": sys.argv[3] if len(sys.argv) > 3 else ":memory:"}},
    USE_TZ=True,
)
django.setup()

from django.contrib.sessions.backends import db, signed_cookies  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core import signing  # noqa: E402
from django.utils import baseconv  # noqa: E402

if mode == "store":
    out = {}
    for s in Session.objects.all():
        out[s.session_key] = db.SessionStore(session_key=s.session_key).load()
    print(json.dumps(out))
    sys.exit(0)

for line in sys.stdin:
    value = line.strip()
    try:
        if mode == "signed":
            store = signed_cookies.SessionStore(session_key=value)
            payload = signing.loads(value, serializer=store.serializer,
                                    max_age=store.get_session_cookie_age(),
                                    salt="django.contrib.sessions.backends.signed_cookies")
            ts = baseconv.base62.decode(value.split(":")[-2])
            out = {"payload": payload, "issued_at": ts}
        else:
            store = db.SessionStore(session_key=value)
            data = store.load()
            if store.session_key is None or not store.exists(value):
                raise KeyError("no session %r in the database" % value)
            out = {"payload": value, "data": data}
    except Exception as e:  # the framework's refusal, named
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
