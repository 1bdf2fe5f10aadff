"""The requests half of the parity suite (test/parity/).

Reads resolved scenarios (test/parity/types.ts: URLs and templates already filled in) as JSON,
from the file named as the first argument or from stdin, runs each through Python requests and
prints one JSON line per scenario: {"name": ..., "record": [one record per step]}. The record is
the one test/parity/runner.ts makes for reqwire, field for field; the test normalises both alike.

Run with an interpreter that has requests (Debian: /usr/bin/python3 with python3-requests).
"""

import base64
import hashlib
import json
import sys

import requests

NAMED = {"GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE"}


def error_class(err):
    """The exception's class name: requests' own, or the name of anything else raised."""
    cls = type(err)
    if cls.__module__.startswith("requests"):
        return cls.__name__
    return "not a requests exception: %s: %s" % (cls.__name__, err)


def summary(data):
    return {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def text_summary(text):
    return dict(summary(text.encode("utf-8", "surrogatepass")), head=text[:80])


def line_value(line):
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "hex:" + line.hex()
    try:
        return {"json": json.loads(text)}
    except ValueError:
        return text


def joined_value(joined, content_type):
    """A streamed body, joined: its JSON value when declared JSON and parseable, else length and hash."""
    if "json" in (content_type or "").lower():
        try:
            return {"json": json.loads(joined.decode("utf-8"))}
        except ValueError:
            pass
    return summary(joined)


def data_option(data):
    if "form" in data:
        return data["form"]
    if "text" in data:
        return data["text"]
    return base64.b64decode(data["base64"])


def auth_option(auth):
    if "basic" in auth:
        return tuple(auth["basic"])
    return requests.auth.HTTPDigestAuth(*auth["digest"])


def options(step):
    o = {}
    for name in ("params", "json", "headers", "cookies", "allow_redirects"):
        if name in step:
            o[name] = step[name]
    if "data" in step:
        o["data"] = data_option(step["data"])
    if "files" in step:
        o["files"] = {
            field: tuple([spec[0], spec[1].encode("utf-8")] + spec[2:]) for field, spec in step["files"].items()
        }
    if "auth" in step:
        o["auth"] = auth_option(step["auth"])
    if "timeout" in step:
        t = step["timeout"]
        o["timeout"] = tuple(t) if isinstance(t, list) else t
    if step.get("stream") or "read" in step:
        o["stream"] = True
    return o


def send(session, step):
    o = options(step)
    method = step["method"].upper()
    target = session if session is not None else requests
    if method in NAMED:
        return getattr(target, method.lower())(step["url"], **o)
    return target.request(step["method"], step["url"], **o)


def record_step(session, step):
    try:
        r = send(session, step)
    except Exception as err:  # noqa: BLE001 - every failure is recorded
        return {"error": {"class": error_class(err)}}
    rec = {
        "status": r.status_code,
        "reason": r.reason,
        "url": r.url,
        "history": [h.status_code for h in r.history],
    }
    fields = set(step.get("record", []))
    if "headers_out" in step:
        rec["headers"] = {name: r.headers.get(name) for name in step["headers_out"]}
    if "history_urls" in fields:
        rec["history_urls"] = [h.url for h in r.history]
    if "flags" in fields:
        rec["flags"] = {"is_redirect": r.is_redirect, "is_permanent_redirect": r.is_permanent_redirect, "ok": r.ok}
    if "response_cookies" in fields:
        rec["response_cookies"] = dict(r.cookies.items())
    try:
        read = step.get("read")
        if read is not None:
            if "iter_content" in read:
                n = read["iter_content"]
                parts = []
                within = True
                for chunk in r.iter_content(n):
                    if len(chunk) == 0 or len(chunk) > n:
                        within = False
                    parts.append(chunk)
                joined = joined_value(b"".join(parts), r.headers.get("content-type"))
                rec["stream"] = dict(joined, chunks_within_size=within)
            else:
                rec["stream"] = {"lines": [line_value(line) for line in r.iter_lines()]}
        else:
            content = r.content
            if "json" in r.headers.get("content-type", "").lower():
                try:
                    rec["body"] = {"json": r.json()}
                except Exception as err:  # noqa: BLE001
                    rec["body"] = dict({"json_error": error_class(err)}, **summary(content))
            else:
                rec["body"] = summary(content)
            if "encoding" in step:
                r.encoding = step["encoding"]
            if "encoding" in fields:
                rec["encoding"] = r.encoding
            if "text" in fields:
                rec["text"] = text_summary(r.text)
            if "json" in fields:
                try:
                    rec["json"] = {"value": r.json()}
                except Exception as err:  # noqa: BLE001
                    rec["json"] = {"error": error_class(err)}
    except Exception as err:  # noqa: BLE001
        rec["error"] = {"class": error_class(err)}
    if "raise" in fields:
        try:
            r.raise_for_status()
            rec["raise"] = None
        except Exception as err:  # noqa: BLE001
            rec["raise"] = {"error": error_class(err), "message": str(err)}
    if "session_cookies" in fields:
        rec["session_cookies"] = None if session is None else dict(session.cookies.items())
    r.close()
    return rec


def run(scenario):
    session = None
    if scenario["mode"] == "session":
        session = requests.Session()
        settings = scenario.get("session", {})
        if "max_redirects" in settings:
            session.max_redirects = settings["max_redirects"]
        for name, value in settings.get("headers", {}).items():
            session.headers[name] = value
        if "auth" in settings:
            session.auth = auth_option(settings["auth"])
    try:
        return [record_step(session, step) for step in scenario["steps"]]
    finally:
        if session is not None:
            session.close()


def main():
    source = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    with source:
        scenarios = json.load(source)
    for scenario in scenarios:
        line = {"name": scenario["name"], "record": run(scenario)}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
