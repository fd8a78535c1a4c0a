"""A pyblish-qml-style host (Python standard library only) that sends what a GUI finds hard.

Usage: hostile_host.py --gui-port P --gui-token T --mode MODE [--instances N] [--plugins N]
  i8      one instance whose data holds an <i8> beyond 2^53 (a Java or patched Python peer)
  values  context, instance, plug-in, record and result fields holding values JSON and the
          page cannot carry as they are: <i8> beyond 2^53, dates, bytes, NaN and infinities,
          text of megabytes, nesting 90 levels deep, keys such as __proto__
  huge    a context of N instances (and N plug-ins), sent at the first context()
  hang    its extractor never answers until a line "release" arrives on stdin (one thread
          serves every call, as pyblish-qml's host did: ping waits behind it too)
  big     its validator's reply to process() is larger than 64 MiB
Registers with the GUI (find_available_port, show, a heartbeat thread) and prints
"HOST READY <port>".
"""

import argparse
import datetime
import os
import sys
import threading
import time
import uuid
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


def dump_int(marshaller, value, write):
    # Python refuses to send integers beyond 32 bits; Java peers and this host send <i8>.
    tag = "int" if -(2**31) <= value < 2**31 else "i8"
    write("<value><%s>%d</%s></value>\n" % (tag, value, tag))


xmlrpc.client.Marshaller.dispatch[int] = dump_int


def nested(levels):
    value = "bottom"
    for level in range(levels):
        value = [value] if level % 2 else {"level": value}
    return value


ODD = {
    "big": 2**63 - 1,
    "negative": -(2**62) - 3,
    "when": datetime.datetime(2024, 5, 1, 12, 30, 0),
    "blob": b"\x00\x01binary\xff",
    "nan": float("nan"),
    "inf": float("inf"),
    "ninf": float("-inf"),
    "deep": nested(90),
    "huge": "x" * (2 * 1024 * 1024),
    "__proto__": {"polluted": True},
    "constructor": "not a function",
    "mixed": [1, 2**60, {"at": datetime.datetime(2001, 1, 1)}],
}


def plugin(name, order, instance_enabled=False, doc=None, extra=None):
    made = {
        "id": name, "name": name, "label": name, "version": [1, 0, 0], "category": None,
        "requires": "pyblish>=1", "order": order, "optional": False, "active": True,
        "hosts": ["*"], "families": ["*"], "targets": ["default"], "doc": doc, "match": 1,
        "type": ["Collector", "Validator", "Extractor", "Integrator"][int(order + 0.5)],
        "module": "hostile", "path": os.path.abspath(__file__), "hasRepair": False,
        "pre11": False, "contextEnabled": not instance_enabled,
        "instanceEnabled": instance_enabled, "__pre11__": False,
        "__contextEnabled__": not instance_enabled, "__instanceEnabled__": instance_enabled,
        "process": {"args": ["instance" if instance_enabled else "context"]},
        "repair": {"args": []}, "actions": [],
    }
    made.update(extra or {})
    return made


def record(message, level=20, **extra):
    now = time.time()
    made = {
        "message": message, "levelname": {20: "INFO", 30: "WARNING"}[level], "levelno": level,
        "name": "hostile", "threadName": "MainThread", "thread": 1, "process": os.getpid(),
        "processName": "MainProcess", "module": "hostile", "filename": "hostile_host.py",
        "pathname": os.path.abspath(__file__), "lineno": 1, "funcName": "process",
        "created": now, "relativeCreated": 0.0, "msecs": 0.0, "args": None,
        "exc_info": None, "exc_text": None,
    }
    made.update(extra)
    return made


RELEASE = threading.Event()


class Service:
    # Served by the standard dispatcher: public methods only, listed by system.listMethods.
    def __init__(self):
        self.context_id = str(uuid.uuid4())
        self.instances = []
        self.reset()

    def ping(self):
        return {"message": "Hello, whomever you are"}

    def stats(self):
        return {"totalRequestCount": 0}

    def reset(self):
        count = OPTIONS.instances if OPTIONS.mode == "huge" else 1
        data = dict(ODD) if OPTIONS.mode == "values" else {}
        if OPTIONS.mode == "i8":
            data = {"frames": 2**63 - 1}
        if OPTIONS.mode == "huge":
            # As small as an instance gets (an id and a family), for as many as fit in a reply.
            self.instances = [{"id": "i%d" % i, "data": {"family": "f%d" % (i % 7)}}
                              for i in range(count)]
            return None
        self.instances = [
            {"name": "item%06d" % i, "id": "item%06d" % i,
             "data": dict(data, name="item%06d" % i, family="odd", publish=True),
             "children": []}
            for i in range(count)
        ]
        return None

    def context(self):
        data = {"host": "hostile", "port": OPTIONS.port, "user": "someone"}
        if OPTIONS.mode == "values":
            data.update(ODD)
        return {"name": "Context", "id": self.context_id, "data": data,
                "children": self.instances}

    def discover(self):
        found = [plugin("CollectNothing", 0), plugin("ValidateOdd", 1, True)]
        if OPTIONS.mode == "values":
            found.append(plugin("ExtractOdd", 2, doc="x" * (1024 * 1024), extra={
                "label": 2**63 - 1, "families": ["*", 2**62],
                "actions": [{"id": "Odd", "label": "Odd", "description": None,
                             "active": True, "icon": "", "on": 2**63 - 1,
                             "__type__": "action", "__error__": None}],
            }))
        if OPTIONS.mode == "hang":
            found.append(plugin("ExtractHang", 2))
        if OPTIONS.mode == "big":
            found.append(plugin("ValidateAfter", 1.1))
        if OPTIONS.mode == "huge":
            found += [plugin("Validate%05d" % i, 1 + i / (4.0 * OPTIONS.plugins), True)
                      for i in range(OPTIONS.plugins)]
        return found

    def process(self, plugin_, instance=None, action=None):
        name = plugin_["id"] if isinstance(plugin_, dict) else plugin_
        records = [record("ran %s" % name)]
        error = None
        duration = 1.5
        if name == "ValidateOdd" and OPTIONS.mode == "values":
            records.append(record("odd fields", 30, lineno=2**63 - 1, created=float("nan"),
                                  msecs=float("inf"), thread=2**40,
                                  args=[datetime.datetime(2020, 2, 2), b"\x01"]))
            records.append(record("y" * (3 * 1024 * 1024)))
            error = {"message": "odd error", "fname": "hostile_host.py",
                     "line_number": 2**63 - 1, "func": "process", "exc": "ValueError"}
            duration = 2**62
        if name == "ValidateOdd" and OPTIONS.mode == "big":
            records += [record("z" * (1024 * 1024)) for _ in range(70)]
        if name == "ExtractHang":
            RELEASE.wait()
        return {
            "success": error is None, "plugin": plugin(name, 1), "instance": None,
            "error": error, "records": records, "duration": duration, "action": action,
        }

    def repair(self, plugin_, instance=None):
        return self.process(plugin_, instance)

    def emit(self, signal, kwargs):
        if OPTIONS.mode == "values" and signal == "commented":
            # A fault whose text is megabytes long (a traceback of a runaway recursion, say).
            raise ValueError("e" * (5 * 1024 * 1024))
        return None

    def test(self, variables):
        return None


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/pyblish",)

    def log_message(self, *args):
        pass


def gui_proxy():
    # The token as the password of the URL: Python sends it as HTTP Basic, which the GUI takes.
    url = "http://pyblish:%s@127.0.0.1:%d" % (OPTIONS.gui_token, OPTIONS.gui_port)
    return xmlrpc.client.ServerProxy(url, allow_none=True)


def heartbeat(port):
    while True:
        try:
            gui_proxy().heartbeat(port)
        except Exception:  # noqa: BLE001 - a GUI that is away now may be back at the next beat
            pass
        time.sleep(0.5)


def settings():
    return {"WindowTitle": OPTIONS.label, "ContextLabel": "Hostile", "pid": os.getpid()}


def main():
    proxy = gui_proxy()
    port = proxy.find_available_port(40000 + os.getpid() % 20000)
    OPTIONS.port = port
    # One thread serves every call, as pyblish-qml's host server did.
    server = SimpleXMLRPCServer(("127.0.0.1", port), requestHandler=Handler, allow_none=True,
                                logRequests=False)
    server.register_introspection_functions()
    server.register_instance(Service())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=heartbeat, args=(port,), daemon=True).start()
    proxy.show(port, settings())
    print("HOST READY %d" % port, flush=True)
    # "release" on stdin lets the hanging extractor end.
    for line in sys.stdin:
        if line.strip() == "release":
            RELEASE.set()
            print("RELEASED", flush=True)
    threading.Event().wait()


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gui-port", type=int, required=True)
    parser.add_argument("--gui-token", required=True)
    parser.add_argument("--mode", choices=["i8", "values", "huge", "hang", "big"], required=True)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--plugins", type=int, default=1)
    parser.add_argument("--label", default="Hostile host")
    return parser.parse_args()


OPTIONS = parse()

if __name__ == "__main__":
    main()
