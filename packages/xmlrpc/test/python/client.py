"""Runs calls through one Python standard-library ServerProxy and prints the results as JSON.

usage: python3 client.py URL [--gzip] < calls.json
calls.json: [{"method": "name", "params": [tagged JSON...]}, ...]
output: one JSON list; each entry {"ok": tagged} | {"fault": [code, string]} | {"error": "Type: text"}
"""
import json
import sys
import xmlrpc.client

from tagged import to_json, to_py

transport = xmlrpc.client.Transport(use_builtin_types=True)
if "--gzip" in sys.argv:
    transport.encode_threshold = 0
proxy = xmlrpc.client.ServerProxy(sys.argv[1], transport=transport, allow_none=True, use_builtin_types=True)

results = []
for call in json.load(sys.stdin):
    try:
        if call["method"] == "$multicall":
            multi = xmlrpc.client.MultiCall(proxy)
            for sub in call["params"]:
                getattr(multi, sub["method"])(*to_py(sub.get("params", [])))
            answers = multi()
            entries = []
            for i in range(len(call["params"])):
                try:
                    entries.append({"ok": to_json(answers[i])})
                except xmlrpc.client.Fault as f:
                    entries.append({"fault": [f.faultCode, f.faultString]})
            results.append({"ok": entries})
            continue
        value = getattr(proxy, call["method"])(*to_py(call.get("params", [])))
        results.append({"ok": to_json(value)})
    except xmlrpc.client.Fault as f:
        results.append({"fault": [f.faultCode, f.faultString]})
    except Exception as e:  # noqa: BLE001 - reported to the test as data
        results.append({"error": "%s: %s" % (type(e).__name__, e)})
print(json.dumps(results))
