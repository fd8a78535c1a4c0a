"""A stand-in for the Python pyblish-qml GUI (RPC era), standard library only.

It serves the GUI's 9090 methods (ping, find_available_port, heartbeat, show) on the port
given (0 = ephemeral) and, when a host calls show(), drives that host over /pyblish the way
pyblish-qml's controller did: reset with collection, toggle, publish with the default test,
an action and a repair. Every reply is checked against the wire shapes, and the replies of
context, discover, process and repair are kept in the summary ("replies") for the test to check
against pyblish-qml's schemas. Events are printed as JSON lines on stdout; the last one is
{"event": "summary", ...}.

Usage: fake_gui.py [--port N] [--drive] [--timeout SECONDS]
                   [--toggle-instance NAME] [--toggle-plugin NAME] [--probe-busy MARKER]

--probe-busy: after show, wait until pyblish.liveness says busy, check ping and heartbeats still
arrive, then create MARKER (the blocking test plug-in waits for it).
"""

import argparse
import json
import socket
import sys
import threading
import time
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TYPES = ("Collector", "Validator", "Extractor", "Integrator", "Other")
ACTION_KINDS = ("action", "category", "separator")
DATA_WHITELIST = {
    "name", "label", "family", "families", "category", "publish", "comment", "optional",
    "host", "port", "user", "connectTime", "postCollectOrder", "pyblishVersion",
    "pyblishServerVersion", "pyblishRPCVersion", "pythonVersion", "nodeVersion",
}

NUMBER = (int, float)
# Replies a pyblish-qml GUI validates against its JSON schemas (PYBLISH_SAFE): kept in the summary.
SCHEMA_CHECKED = ("context", "discover", "process", "repair")
OPTIONAL_STR = (str, type(None))


def say(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class Shapes(object):
    """Collects every way a reply differs from the wire shapes."""

    def __init__(self):
        self.problems = []

    def fail(self, where, message):
        if len(self.problems) < 50:
            self.problems.append("%s: %s" % (where, message))

    def fields(self, where, value, spec):
        if not isinstance(value, dict):
            self.fail(where, "expected a struct, got %r" % type(value).__name__)
            return False
        for key, kinds in spec.items():
            if key not in value:
                self.fail(where, "missing %r" % key)
            elif not isinstance(value[key], kinds) or (
                    isinstance(value[key], bool) and bool not in _tuple(kinds)):
                self.fail(where, "%r is %r" % (key, type(value[key]).__name__))
        return True

    def data(self, where, data):
        if not isinstance(data, dict):
            return self.fail(where, "data is not a struct")
        extra = set(data) - DATA_WHITELIST
        if extra:
            self.fail(where, "data outside the whitelist: %s" % sorted(extra))

    def instance(self, where, inst):
        if self.fields(where, inst, {"name": str, "id": str, "data": dict, "children": list}):
            self.data(where, inst["data"])
            if inst["children"]:
                self.fail(where, "instance children must be empty")

    def context(self, where, ctx):
        if self.fields(where, ctx, {"name": str, "id": str, "data": dict, "children": list}):
            self.data(where, ctx["data"])
            for i, inst in enumerate(ctx["children"]):
                self.instance("%s.children[%d]" % (where, i), inst)

    def action(self, where, action):
        self.fields(where, action, {
            "id": str, "label": str, "description": OPTIONAL_STR, "active": bool,
            "icon": str, "on": str, "__type__": str, "__error__": OPTIONAL_STR})
        if isinstance(action, dict) and action.get("__type__") not in ACTION_KINDS:
            self.fail(where, "__type__ %r" % action.get("__type__"))

    def plugin(self, where, p):
        ok = self.fields(where, p, {
            "id": str, "name": str, "label": OPTIONAL_STR, "version": list,
            "category": OPTIONAL_STR, "requires": str, "order": NUMBER, "optional": bool,
            "active": bool, "hosts": list, "families": list, "targets": list,
            "doc": OPTIONAL_STR, "match": int, "type": str, "module": str, "path": str,
            "hasRepair": bool, "pre11": bool, "contextEnabled": bool, "instanceEnabled": bool,
            "__pre11__": bool, "__contextEnabled__": bool, "__instanceEnabled__": bool,
            "process": dict, "repair": dict, "actions": list})
        if not ok:
            return
        if len(p.get("version", [])) != 3:
            self.fail(where, "version must have 3 numbers")
        order = p.get("order", 0)
        if isinstance(order, NUMBER) and p.get("type") != plugin_type(order):
            self.fail(where, "type %r does not match order %r" % (p.get("type"), order))
        # What inspect.getargspec gave a Python GUI: self plus the subject's name.
        subject = "instance" if p.get("__instanceEnabled__") else "context"
        if p.get("process", {}).get("args") != ["self", subject]:
            self.fail(where, "process.args %r" % p.get("process"))
        repair_args = p.get("repair", {}).get("args")
        expected = ["self", subject] if p.get("hasRepair") else ["self"]
        if repair_args != expected:
            self.fail(where, "repair.args %r with hasRepair %r" % (repair_args, p.get("hasRepair")))
        if p.get("__instanceEnabled__") != p.get("instanceEnabled"):
            self.fail(where, "__instanceEnabled__ differs from instanceEnabled")
        for i, a in enumerate(p.get("actions", [])):
            self.action("%s.actions[%d]" % (where, i), a)

    def record(self, where, r):
        self.fields(where, r, {
            "message": str, "levelname": str, "levelno": int, "name": str, "threadName": str,
            "thread": int, "process": int, "processName": str, "module": str, "filename": str,
            "pathname": str, "lineno": int, "funcName": str, "created": NUMBER,
            "relativeCreated": NUMBER, "msecs": NUMBER, "exc_text": OPTIONAL_STR})
        for key in ("args", "exc_info"):
            if isinstance(r, dict) and key not in r:
                self.fail(where, "missing %r" % key)
        if isinstance(r, dict) and r.get("levelname") not in LEVELS:
            self.fail(where, "levelname %r" % r.get("levelname"))

    def result(self, where, res):
        ok = self.fields(where, res, {
            "success": bool, "plugin": dict, "instance": (dict, type(None)),
            "error": (dict, type(None)), "records": list, "duration": NUMBER})
        if not ok:
            return
        self.plugin(where + ".plugin", res["plugin"])
        if res["instance"] is not None:
            self.instance(where + ".instance", res["instance"])
        if res["error"] is not None:
            self.fields(where + ".error", res["error"], {"message": str})
        if res["success"] != (res["error"] is None):
            self.fail(where, "success must mean no error")
        for i, r in enumerate(res["records"]):
            self.record("%s.records[%d]" % (where, i), r)


def _tuple(kinds):
    return kinds if isinstance(kinds, tuple) else (kinds,)


def inrange(number, base, offset=0.5):
    return base - offset <= number < base + offset


def plugin_type(order):
    for base, name in enumerate(TYPES[:4]):
        if inrange(order, base):
            return name
    return "Other"


def instances_by_plugin(instances, plugin):
    """pyblish.logic.instances_by_plugin, Intersection only (what the fixtures use)."""
    families = set(plugin["families"])
    out = []
    for inst in instances:
        data = inst["data"]
        fams = set([data.get("family")] + list(data.get("families") or []))
        if "*" in families or families & fams:
            out.append(inst)
    return out


def default_test(next_order, orders_with_error):
    if next_order >= 1.5 and any(inrange(o, 1) for o in orders_with_error):
        return "failed validation"
    return None


class Controller(object):
    """Drives one host the way pyblish-qml's controller did (spec 1.6 steps 5-9)."""

    def __init__(self, port, options):
        self.host = xmlrpc.client.ServerProxy(
            "http://127.0.0.1:%d/pyblish" % port, allow_none=True)
        self.port = port
        self.options = options
        self.shapes = Shapes()
        self.summary = {"hostPort": port, "pairs": [], "collected": [], "replies": []}
        self.instances = []
        self.plugins = []

    def call(self, name, *args):
        reply = getattr(self.host, name)(*args)
        if name in SCHEMA_CHECKED:
            self.summary["replies"].append({"method": name, "reply": reply})
        return reply

    def refresh_context(self, where):
        ctx = self.call("context")
        self.shapes.context(where, ctx)
        known = set(i["id"] for i in self.instances)
        for inst in ctx["children"]:
            if inst["id"] not in known:
                self.instances.append(inst)
            else:  # HEAD-style refresh of data the host may have changed
                for mine in self.instances:
                    if mine["id"] == inst["id"]:
                        mine["data"] = inst["data"]
        return ctx

    def run_pairs(self, plugins, stage):
        """The iterator of spec 2.4 with the default test; returns the stop message, if any."""
        orders_with_error = []
        for plugin in plugins:
            message = default_test(plugin["order"], orders_with_error)
            if message:
                return "Stopped due to %s" % message
            if plugin["__instanceEnabled__"]:
                targets = [i for i in instances_by_plugin(self.instances, plugin)
                           if i["data"].get("publish", True) is not False]
            else:
                targets = [None]
            for inst in targets:
                result = self.call("process", plugin, inst, None)
                where = "process(%s, %s)" % (plugin["name"], inst and inst["data"].get("name"))
                self.shapes.result(where, result)
                if result.get("error"):
                    orders_with_error.append(plugin["order"])
                self.summary["pairs"].append({
                    "stage": stage,
                    "plugin": plugin["name"],
                    "instance": inst["name"] if inst else None,
                    "success": result.get("success"),
                    "error": (result.get("error") or {}).get("message"),
                    "records": [r.get("message") for r in result.get("records", [])],
                    "resultInstance": (result.get("instance") or {}).get("name"),
                    "resultPlugin": result.get("plugin", {}).get("name"),
                })
                self.refresh_context("context() after " + where)
        return None

    def reset(self):
        before = self.call("stats")["totalRequestCount"]
        self.call("reset")
        ctx = self.call("context")
        self.shapes.context("context()", ctx)
        self.summary["contextData"] = ctx["data"]
        self.summary["contextName"] = ctx["name"]
        self.plugins = self.call("discover")
        for p in self.plugins:
            self.shapes.plugin("discover()[%s]" % p.get("name"), p)
        self.summary["plugins"] = [{
            "name": p["name"], "type": p["type"], "order": p["order"],
            "hasRepair": p["hasRepair"], "optional": p["optional"], "active": p["active"],
            "processArgs": p["process"]["args"], "repairArgs": p["repair"]["args"],
            "actions": [{"label": a["label"], "on": a["on"], "type": a["__type__"]}
                        for a in p["actions"]],
        } for p in self.plugins]
        collectors = [p for p in self.plugins if inrange(p["order"], 0) and p["active"]]
        self.run_pairs(collectors, "collect")
        self.refresh_context("context() after collection")
        self.summary["collected"] = [i["name"] for i in self.instances]
        after = self.call("stats")["totalRequestCount"]
        self.summary["resetRequests"] = after - before
        self.summary["resetEmit"] = self.call("emit", "reset", {"context": None})

    def toggle(self):
        name = self.options.toggle_instance
        if name:
            inst = [i for i in self.instances if i["name"] == name][0]
            self.call("emit", "instanceToggled",
                      {"instance": inst["id"], "new_value": False, "old_value": True})
            ctx = self.refresh_context("context() after instanceToggled")
            publish = [i["data"].get("publish") for i in ctx["children"] if i["id"] == inst["id"]]
            self.summary["instanceToggled"] = {"name": name, "publishAfter": publish[0]}
        name = self.options.toggle_plugin
        if name:
            plugin = [p for p in self.plugins if p["name"] == name][0]
            self.call("emit", "pluginToggled",
                      {"plugin": plugin["id"], "new_value": False, "old_value": True})
            self.plugins = self.call("discover")
            active = [p["active"] for p in self.plugins if p["id"] == plugin["id"]]
            self.summary["pluginToggled"] = {"name": name, "activeAfter": active[0]}

    def publish(self):
        before = self.call("stats")["totalRequestCount"]
        plugins = [p for p in self.plugins if p["active"] and not inrange(p["order"], 0)]
        self.summary["stopped"] = self.run_pairs(plugins, "publish")
        self.summary["publishRequests"] = self.call("stats")["totalRequestCount"] - before
        self.call("emit", "published", {"context": None})

    def failed(self):
        return [p for p in self.summary["pairs"] if p["success"] is False]

    def action(self):
        """Spec 2.8: context(), discover(), then process(plugin, None, actionId)."""
        failed_names = set(p["plugin"] for p in self.failed())
        self.call("context")
        plugins = self.call("discover")
        for plugin in plugins:
            for action in plugin["actions"]:
                usable = action["__type__"] == "action" and action["active"] and (
                    action["on"] == "all" or (action["on"] == "failed" and plugin["name"] in failed_names))
                if usable:
                    result = self.call("process", plugin, None, action["id"])
                    self.shapes.result("process(%s, None, %s)" % (plugin["name"], action["label"]), result)
                    self.summary["action"] = {
                        "plugin": plugin["name"], "label": action["label"],
                        "success": result["success"],
                        "records": [r["message"] for r in result["records"]],
                        "error": (result.get("error") or {}).get("message")}
                    return

    def repair(self):
        """Spec 2.7: discover(), context(), test(), then repair() for each failed instance."""
        failures = [p for p in self.failed() if p["stage"] == "publish"]
        plugins = self.call("discover")
        self.refresh_context("context() before repair")
        for failure in failures:
            plugin = [p for p in plugins if p["name"] == failure["plugin"]][0]
            if not plugin["hasRepair"]:
                continue
            inst = [i for i in self.instances if i["name"] == failure["instance"]]
            verdict = self.call("test", {"nextOrder": plugin["order"], "ordersWithError": []})
            result = self.call("repair", plugin, inst[0] if inst else None)
            self.shapes.result("repair(%s)" % plugin["name"], result)
            self.summary["repair"] = {
                "plugin": plugin["name"], "instance": failure["instance"], "test": verdict,
                "success": result["success"], "records": [r["message"] for r in result["records"]]}
            verdict = self.call("test", {"nextOrder": 2, "ordersWithError": [plugin["order"]]})
            self.summary["testAfterFailedValidation"] = verdict
            return

    def faults(self):
        """Names outside the service and unknown ids are faults; the host stays usable."""
        out = {}
        probes = [
            ("hidden", "_dispatch", ()),
            ("dunder", "__init__", ()),
            ("unknownPlugin", "process", ({"id": "no-such-plugin"}, None, None)),
            ("badArgs", "process", (42, None, None)),
        ]
        for label, name, args in probes:
            try:
                # ServerProxy's own attributes (such as __init__) shadow remote names: go direct.
                self.host._ServerProxy__request(name, args)
                out[label] = None
            except xmlrpc.client.Fault as fault:
                out[label] = {"code": fault.faultCode, "message": fault.faultString}
        out["pingAfter"] = self.call("ping")
        self.summary["faults"] = out

    def run(self):
        started = time.time()
        try:
            self.reset()
            self.toggle()
            self.publish()
            self.action()
            self.repair()
            self.faults()
            self.summary["methods"] = self.host.system.listMethods()
        except Exception as err:  # the summary reports it; the test fails on it
            self.summary["exception"] = "%s: %s" % (type(err).__name__, err)
        self.summary["problems"] = self.shapes.problems
        self.summary["seconds"] = round(time.time() - started, 3)


class Gui(object):
    def __init__(self, options):
        self.options = options
        self.heartbeats = {}
        self.shown = []
        self.done = threading.Event()
        self.summary = None

    def ping(self):
        return {"message": "Hello, whomever you are"}

    def find_available_port(self, start=9001):
        # Hand out a port the OS says is free now (tests must never assume fixed ports).
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        say("find_available_port", start=start, port=port)
        return port

    def heartbeat(self, port):
        self.heartbeats[port] = self.heartbeats.get(port, 0) + 1
        if self.heartbeats[port] == 1:
            say("heartbeat", port=port)
        return None

    def show(self, port, settings):
        say("show", port=port, settings=settings)
        self.shown.append(port)
        if self.options.drive:
            threading.Thread(target=self.drive, args=(port, settings), daemon=True).start()
        elif self.options.probe_busy:
            threading.Thread(target=self.probe, args=(port,), daemon=True).start()
        return True

    def probe(self, port):
        """Waits for the host to be busy, then checks that ping, liveness and heartbeats still work
        while the host's main thread is blocked; finally writes the marker that releases it."""
        host = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/pyblish" % port, allow_none=True)
        deadline = time.time() + 20
        liveness = host.pyblish.liveness()
        while not liveness["busy"] and time.time() < deadline:
            time.sleep(0.01)
            liveness = host.pyblish.liveness()
        beats = self.heartbeats.get(port, 0)
        ping = host.ping()
        while self.heartbeats.get(port, 0) <= beats and time.time() < deadline:
            time.sleep(0.01)
        still = host.pyblish.liveness()
        with open(self.options.probe_busy, "w") as f:
            f.write("release")
        say("probe", liveness=liveness, stillBusy=still["busy"], ping=ping,
            heartbeatsWhileBusy=self.heartbeats.get(port, 0) - beats)
        self.done.set()

    def drive(self, port, settings):
        controller = Controller(port, self.options)
        controller.run()
        summary = controller.summary
        summary["settings"] = settings
        summary["heartbeats"] = self.heartbeats.get(port, 0)
        say("summary", **summary)
        self.done.set()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--drive", action="store_true")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--toggle-instance")
    parser.add_argument("--toggle-plugin")
    parser.add_argument("--probe-busy", metavar="MARKER")
    options = parser.parse_args()

    gui = Gui(options)
    server = SimpleXMLRPCServer(("127.0.0.1", options.port), allow_none=True, logRequests=False)
    server.register_introspection_functions()
    for name in ("ping", "find_available_port", "heartbeat", "show"):
        server.register_function(getattr(gui, name), name)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    say("listening", port=server.server_address[1])

    waits = options.drive or options.probe_busy
    finished = gui.done.wait(options.timeout) if waits else _wait_forever(options.timeout)
    if not finished:
        say("timeout", heartbeats=gui.heartbeats, shown=gui.shown)
    server.shutdown()
    server.server_close()
    sys.exit(0 if finished else 2)


def _wait_forever(timeout):
    try:
        time.sleep(timeout)
    except KeyboardInterrupt:
        pass
    return True


if __name__ == "__main__":
    main()
