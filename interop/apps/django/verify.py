"""Reads Django session cookies with Django's own code, one cookie value a
line on stdin, one JSON line out:
  signed: {"payload": ..., "issued_at": unix} or {"error": ...}, through
          django.core.signing.loads with the signed_cookies backend's salt,
          serializer and max_age (what SessionStore.load calls);
  db:     {"payload": <the session key>, "data": ...} from SessionStore.load
          on the SQLite file, or {"error": ...} when no such session;
  store:  no input; every session in the database as {"key": data} (the
          store's truth after a load test).
  old:    argument DAYS after the secret; prints one session cookie value as
          the signed_cookies backend would have set it DAYS days ago (the
          clock moved back).
/usr/bin/python3 verify.py signed|db|store|old SECRET_KEY [DB | DAYS]
"""
import json
import random
import sys
import time

import django
from django.conf import settings

mode, secret = sys.argv[1], sys.argv[2]
settings.configure(
    SECRET_KEY=secret,
    INSTALLED_APPS=["django.contrib.sessions"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": sys.argv[3] if mode != "old" and len(sys.argv) > 3 else ":memory:"}},
    USE_TZ=True,
)
django.setup()

from django.contrib.sessions.backends import db, signed_cookies  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core import signing  # noqa: E402
from django.utils import baseconv  # noqa: E402

if mode == "old":
    now = time.time()
    time.time = lambda: now - float(sys.argv[3]) * 86400
    store = signed_cookies.SessionStore()
    store["sid"] = random.randrange(10000)
    store["visitCount"] = 1
    store.save()
    print(store.session_key)
    sys.exit(0)

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
