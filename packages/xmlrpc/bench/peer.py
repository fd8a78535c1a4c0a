"""The Python side of the benchmark: standard-library client, measured the way bench/main.ts measures.

usage: peer.py ping URL ROUNDS SECONDS | peer.py throughput URL PAYLOAD.xml CALLERS ROUNDS SECONDS
       peer.py encode|encode-bytes|decode PAYLOAD.xml ROUNDS SECONDS
(encode: dumps, a str; encode-bytes: dumps(...).encode("utf-8"), the bytes a client or server sends)
Each figure is the best of ROUNDS rounds of SECONDS (the machine may be shared). Prints one JSON object.
"""
import json
import sys
import threading
import time
import xmlrpc.client


def proxy(url):
    return xmlrpc.client.ServerProxy(url, allow_none=True, use_builtin_types=True)


def best(rounds, measure):
    return max(measure() for _ in range(rounds))


def ping(url, rounds, seconds):
    p = proxy(url)
    for _ in range(100):
        p.ping()

    def measure():
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            p.ping()
            n += 1
        return n / (time.perf_counter() - start)

    return {"per_second": best(rounds, measure)}


def throughput(url, path, callers, rounds, seconds):
    data = open(path, "rb").read()
    (value,), _ = xmlrpc.client.loads(data, use_builtin_types=True)
    proxies = [proxy(url) for _ in range(callers)]

    def measure():
        counts = [0] * callers
        start = time.perf_counter()

        def run(i):
            while time.perf_counter() - start < seconds * 2:
                proxies[i].echo(value)
                counts[i] += 1

        threads = [threading.Thread(target=run, args=(i,)) for i in range(callers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sum(counts) * len(data) / 1e6 / (time.perf_counter() - start)

    return {"mb_per_second": best(rounds, measure)}


def codec(mode, path, rounds, seconds):
    data = open(path, "rb").read()
    (value,), _ = xmlrpc.client.loads(data, use_builtin_types=True)
    if mode == "encode":
        fn = lambda: xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True)  # noqa: E731
    elif mode == "encode-bytes":
        fn = lambda: xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True).encode("utf-8")  # noqa: E731
    else:
        fn = lambda: xmlrpc.client.loads(data, use_builtin_types=True)  # noqa: E731

    def measure():
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            fn()
            n += 1
        return n * len(data) / 1e6 / (time.perf_counter() - start)

    return {"mb_per_second": best(rounds, measure)}


mode = sys.argv[1]
rounds, seconds = int(sys.argv[-2]), float(sys.argv[-1])
if mode == "ping":
    out = ping(sys.argv[2], rounds, seconds)
elif mode == "throughput":
    out = throughput(sys.argv[2], sys.argv[3], int(sys.argv[4]), rounds, seconds)
else:
    out = codec(mode, sys.argv[2], rounds, seconds)
print(json.dumps(out))
