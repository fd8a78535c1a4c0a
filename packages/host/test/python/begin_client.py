"""A GUI-side caller in its own process, standard library only: begins a pair on a host, asks
pyblish.liveness right after the call id comes back, then polls until the result arrives.

Usage: begin_client.py URL PLUGIN [WAIT_MS]
(URL may carry the token as http://pyblish:TOKEN@host:port/pyblish; with WAIT_MS, begin waits up to
that long for the pair and replies {callId, done, seq, records, result}.)

Prints JSON lines: {"event": "begun", "callId", "done", "liveness"} then {"event": "done", "result"}.
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
    done = False
    if len(sys.argv) > 3:
        begun = host.pyblish.begin(plugin, None, None, int(sys.argv[3]))
        call_id, done = begun["callId"], begun["done"]
    else:
        call_id = host.pyblish.begin(plugin, None, None)
    liveness = host.pyblish.liveness()
    # The pair starts just after its call id is posted; give that hop a few tries.
    for _ in range(20):
        if liveness["busy"]:
            break
        time.sleep(0.005)
        liveness = host.pyblish.liveness()
    say("begun", callId=call_id, done=done, liveness=liveness)
    seq = 0
    while True:
        polled = host.pyblish.poll(call_id, seq, 5000)
        seq = polled["seq"]
        if polled["done"]:
            say("done", result=polled["result"])
            return


if __name__ == "__main__":
    main()
