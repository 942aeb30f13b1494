"""Django's documented session setup in one file: SessionMiddleware with
SESSION_ENGINE django.contrib.sessions.backends.signed_cookies ($ENGINE=signed)
or .db on SQLite ($ENGINE=db, the file in $DB). GET / counts visits as the
express-session reference example does, POST /login (cycle_key, as
django.contrib.auth.login does), GET /logout (flush); /_truth counts requests.

Run with Debian's Django: /usr/bin/python3 app.py PORT (SECRET_KEY in $SECRET).
"""
import os
import random
import sys
import threading

import django
from django.conf import settings

ENGINES = {
    "signed": "django.contrib.sessions.backends.signed_cookies",
    "db": "django.contrib.sessions.backends.db",
}

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ["SECRET"],
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.sessions"],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    SESSION_ENGINE=ENGINES[os.environ.get("ENGINE", "signed")],
    # SQLite allows one writer at a time: wait for the lock up to 30 s (the
    # default 5 s gives "database is locked" under a loaded test machine).
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": os.environ.get("DB", ":memory:"),
                           "OPTIONS": {"timeout": 30}}},
    USE_TZ=True,
)
django.setup()

from django.http import JsonResponse  # noqa: E402  (after settings)
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_GET, require_POST  # noqa: E402

truth = {"requests": 0, "created": 0, "max_count": 0, "pid": os.getpid()}
lock = threading.Lock()


@require_GET
def index(request):
    s = request.session
    if "sid" not in s and "visitCount" not in s:
        s["sid"] = random.randrange(10000)
        s["visitCount"] = 1
        status = 201
    else:
        s["visitCount"] += 1
        status = 200
    with lock:
        truth["requests"] += 1
        truth["created"] += status == 201
        truth["max_count"] = max(truth["max_count"], s["visitCount"])
    return JsonResponse(dict(s.items()), status=status)


@require_POST
def login(request):
    request.session.cycle_key()
    request.session["user"] = request.POST["user"]
    return JsonResponse(dict(request.session.items()))


@require_GET
def logout(request):
    request.session.flush()
    return JsonResponse({"logged_out": True})


def show_truth(request):
    with lock:
        return JsonResponse(dict(truth))


urlpatterns = [path("", index), path("login", login), path("logout", logout),
               path("_truth", show_truth)]

if __name__ == "__main__":
    from django.core.management import call_command
    if settings.SESSION_ENGINE.endswith(".db"):
        call_command("migrate", verbosity=0)
    call_command("runserver", "127.0.0.1:" + sys.argv[1], use_reloader=False,
                 use_threading=True)
