"""A GUI-side caller in its own process, standard library only: begins a pair on a host, asks
pyblish.liveness right after the call id comes back, then polls until the result arrives.

Usage: begin_client.py URL PLUGIN   (URL may carry the token as http://pyblish:TOKEN@host:port/pyblish)

Prints JSON lines: {"event": "begun", "callId", "liveness"} then {"event": "done", "result"}.
"""

import json
import sys
import time
import xmlrpc.client


def say(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def main():
    url, plugin = sys.argv[1], sys.argv[2]
    host = xmlrpc.client.ServerProxy(url, allow_none=True)
    call_id = host.pyblish.begin(plugin, None, None)
    liveness = host.pyblish.liveness()
    # The pair starts just after its call id is posted; give that hop a few tries.
    for _ in range(20):
        if liveness["busy"]:
            break
        time.sleep(0.005)
        liveness = host.pyblish.liveness()
    say("begun", callId=call_id, liveness=liveness)
    seq = 0
    while True:
        polled = host.pyblish.poll(call_id, seq, 5000)
        seq = polled["seq"]
        if polled["done"]:
            say("done", result=polled["result"])
            return


if __name__ == "__main__":
    main()
