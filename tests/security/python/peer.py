"""A stock Python 3 XML-RPC peer (standard library only) for the security suite.

Usage: peer.py PORT TOKEN MODE
  noisy      process the noisy validator on one instance, print its records' messages as JSON
  verbose    process the verbose validator, print what its result's records look like
  dirty      send strings Python does not sanitise (ESC, NUL, a lone surrogate), then ping
  keepalive  N sequential pings on one ServerProxy connection (N = 4th argument)
  pings      pings the GUI's server one after another until a line arrives on stdin, then prints
             how many were answered and how long the slowest waited
Prints one JSON line.
"""
import json
import sys
import threading
import time
import xmlrpc.client


def proxy(port, token, path):
    # Python sends the password as HTTP Basic; the servers accept the token there.
    return xmlrpc.client.ServerProxy(
        "http://pyblish:%s@127.0.0.1:%d%s" % (token, port, path), allow_none=True
    )


def noisy(port, token):
    host = proxy(port, token, "/pyblish")
    host.reset()
    host.process("CollectShots", None, None)
    instance = host.context()["children"][0]["id"]
    result = host.process("ValidateNoisyLog", instance, None)
    return {
        "success": result["success"],
        "messages": [r["message"] for r in result["records"]],
    }


def verbose(port, token):
    host = proxy(port, token, "/pyblish")
    host.reset()
    result = host.process("ValidateVerbose", None, None)
    records = result["records"]
    return {
        "success": result["success"],
        "count": len(records),
        "fields": sorted(set(k for r in records for k in r)),
        "longest": max(len(r["message"]) for r in records),
        "last": {"levelname": records[-1]["levelname"], "message": records[-1]["message"]},
    }


def dirty(port, token):
    host = proxy(port, token, "/pyblish")
    outcomes = {}
    for name, text in [("esc", "\x1b[31mred\x1b[0m"), ("nul", "a\x00b"), ("surrogate", "\ud800")]:
        try:
            host.emit("commented", {"comment": text})
            outcomes[name] = "ok"
        except xmlrpc.client.Fault as fault:
            outcomes[name] = "fault %d" % fault.faultCode
        except Exception as err:  # noqa: BLE001 - the kind of failure is the answer
            outcomes[name] = type(err).__name__
    outcomes["ping"] = host.ping()["message"]
    return outcomes


def keepalive(port, token, count, path):
    server = proxy(port, token, path)
    answered = 0
    for _ in range(count):
        if server.ping()["message"]:
            answered += 1
    return {"answered": answered}


def pings(port, token):
    server = proxy(port, token, "/")
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    answered, slowest = 0, 0.0
    print("PINGING", flush=True)
    while not stop.is_set():
        started = time.monotonic()
        server.ping()
        slowest = max(slowest, time.monotonic() - started)
        answered += 1
        time.sleep(0.02)
    return {"answered": answered, "slowest_ms": slowest * 1000}


def main():
    port, token, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if mode == "noisy":
        out = noisy(port, token)
    elif mode == "verbose":
        out = verbose(port, token)
    elif mode == "pings":
        out = pings(port, token)
    elif mode == "dirty":
        out = dirty(port, token)
    else:
        out = keepalive(port, token, int(sys.argv[4]), sys.argv[5])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
