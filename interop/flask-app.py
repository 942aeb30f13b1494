"""A Flask app for sessctl visit's interop tests; run with Debian's
/usr/bin/python3 (python3-flask): flask-app.py PORT. Binds 127.0.0.1.

  /form    echoes what Flask's form parser and JSON parser saw
  /count   a cookie-carried session counter (Flask re-issues the cookie on
           every visit, the session has no id)
"""
import sys

from flask import Flask, jsonify, request, session

app = Flask(__name__)
app.secret_key = "flaskTesting"


@app.route("/form", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def form():
    return jsonify(
        method=request.method,
        form=request.form.to_dict(),
        json=request.get_json(silent=True),
        content_type=request.headers.get("Content-Type"),
        content_length=request.headers.get("Content-Length"),
        accept=request.headers.get("Accept"),
    )


@app.route("/count")
def count():
    session["visitCount"] = session.get("visitCount", 0) + 1
    return jsonify(visitCount=session["visitCount"])


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
