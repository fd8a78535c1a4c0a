"""A Pyblish host written with the Python standard library only.

It plays an RPC-era pyblish-qml host (pyblish-qml 0.8, "ipc/service.py"): it serves the
`/pyblish` XML-RPC service with the wire shapes of the original serialisers, runs a small
set of plug-ins of its own, and registers with a GUI on 127.0.0.1 through
find_available_port, a heartbeat thread and show. Tests drive our GUI against it.

Usage: python3 host.py --gui-port P [--gui-token T] [--token T] [--heartbeat S] [--port-start N]
                       [--long S] [--instances N] [--plugins N] [--label L] [--no-show]
Prints "HOST READY <port>" on stdout once it serves and has called show.
"""

import argparse
import getpass
import json
import os
import socketserver
import sys
import threading
import time
import traceback
import uuid
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

WHITELIST = (
    "name", "label", "family", "families", "publish", "category", "comment", "optional",
    "host", "port", "user", "connectTime", "pythonVersion", "pyblishVersion",
    "pyblishRPCVersion",
)
LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}
START = time.time()


# --- A tiny pyblish: just enough model for the plug-ins below --------------------------

class Instance:
    def __init__(self, name, data):
        self.id = str(uuid.uuid4())
        self.name = name
        self.data = {"name": name, "family": "default"}
        self.data.update(data)


class Context:
    def __init__(self):
        self.id = str(uuid.uuid4())
        self.name = "Context"
        self.data = {}
        self.instances = []

    def create_instance(self, name, **data):
        instance = Instance(name, data)
        self.instances.append(instance)
        return instance


class Log:
    def __init__(self, name):
        self.name = name
        self.records = []

    def _log(self, level, message):
        frame = sys._getframe(2)
        now = time.time()
        self.records.append({
            "message": str(message), "levelname": LEVELS[level], "levelno": level,
            "name": self.name, "threadName": threading.current_thread().name,
            "thread": threading.get_ident() % 2**31, "process": os.getpid(),
            "processName": "MainProcess", "module": "host", "filename": "host.py",
            "pathname": os.path.abspath(__file__), "lineno": frame.f_lineno,
            "funcName": frame.f_code.co_name, "created": now,
            "relativeCreated": (now - START) * 1000, "msecs": (now % 1) * 1000,
            "args": None, "exc_info": None, "exc_text": None,
        })

    def debug(self, m): self._log(10, m)
    def info(self, m): self._log(20, m)
    def warning(self, m): self._log(30, m)
    def error(self, m): self._log(40, m)


class Plugin:
    order = 0
    families = ["*"]
    hosts = ["*"]
    label = None
    optional = False
    active = True
    actions = []
    instance_enabled = False  # True: process(instance); False: process(context)
    repair = None

    def __init__(self):
        self.log = Log("pyblish." + type(self).__name__)


class Action:
    label = None
    icon = ""
    on = "all"
    active = True
    kind = "action"


def category(name):
    return type(name, (Action,), {"label": name, "kind": "category"})


SEPARATOR = type("Separator", (Action,), {"label": "Separator", "kind": "separator"})


# --- The plug-ins this host offers ---------------------------------------------------

class PrintContext(Action):
    """Logs the context's instances."""
    label = "Print instances"
    icon = "print"

    def process(self, context, plugin):
        self.log.info("Instances: " + ", ".join(i.name for i in context.instances))


class FixFailure(Action):
    """Fixes what ValidateFailure complains about."""
    label = "Fix it"
    on = "failed"

    def process(self, context, plugin):
        for instance in context.instances:
            instance.data["fixed"] = True
        self.log.info("Fixed")


class BrokenAction(Action):
    label = "Always fails"
    on = "all"

    def process(self, context, plugin):
        raise RuntimeError("This action always fails")


class CollectContextInfo(Plugin):
    """Stamps the user into the context."""
    order = -0.1

    def process(self, context):
        context.data["user"] = getpass.getuser()
        self.log.info("Collected context information")


class CollectInstances(Plugin):
    """Creates the instances of this fake scene."""
    order = 0

    def process(self, context):
        count = OPTIONS.instances
        if count:
            for index in range(count):
                context.create_instance("item%05d" % index, family="bench")
            return
        context.create_instance("Richard05", family="A")
        context.create_instance("Steven11", family="B", category="Characters")
        context.create_instance("Peter01", family="A", publish=False)
        context.create_instance("Failure 1", family="failure")
        self.log.info("Collected 4 instances")


class CollectMore(Plugin):
    """An instance collector: sees the instances the collector before it created."""
    order = 0.2
    families = ["A"]
    instance_enabled = True

    def process(self, instance):
        instance.data["collectedMore"] = True


class ValidateNames(Plugin):
    """Names must not contain spaces (warns instead)."""
    order = 1
    instance_enabled = True

    def process(self, instance):
        if " " in instance.name:
            self.log.warning("%s has a space in its name" % instance.name)
        self.log.info("Validated " + instance.name)


class ValidateFailure(Plugin):
    """Fails until repaired."""
    order = 1.1
    families = ["failure"]
    instance_enabled = True
    actions = [category("Fixes"), FixFailure, SEPARATOR, PrintContext, BrokenAction]

    def process(self, instance):
        if not instance.data.get("fixed"):
            raise AssertionError("%s is broken: repair it" % instance.name)

    def repair(self, instance):
        instance.data["fixed"] = True
        self.log.info("Repaired " + instance.name)


class ValidateOptional(Plugin):
    """Off by default; the user may switch it on."""
    order = 1.2
    optional = True
    active = False

    def process(self, context):
        self.log.info("The optional validator ran")


class ExtractSlowly(Plugin):
    """Takes its time (--long seconds) for family B."""
    order = 2
    families = ["B"]
    instance_enabled = True

    def process(self, instance):
        self.log.info("Extracting " + instance.name)
        time.sleep(OPTIONS.long)
        self.log.info("Extracted " + instance.name)


class IntegrateAll(Plugin):
    """Pretends to integrate."""
    order = 3
    label = "Integrate everything"

    def process(self, context):
        self.log.info("Integrated %d instances" % len(context.instances))


def bench_plugins(count):
    """One collector and count-1 instance plug-ins that do nothing: protocol cost only."""
    made = [CollectInstances]
    orders = [1, 1.1, 1.2, 1.3, 1.4, 2, 2.1, 2.2, 3]  # as test/fixtures/bench-plugins
    for index in range(count - 1):
        order = orders[index % len(orders)]
        made.append(type("Bench%d" % index, (Plugin,), {
            "order": order, "instance_enabled": True, "families": ["bench"],
            "process": lambda self, instance: None,
        }))
    return made


def default_plugins():
    return [CollectContextInfo, CollectInstances, CollectMore, ValidateNames,
            ValidateFailure, ValidateOptional, ExtractSlowly, IntegrateAll]


# --- Serialisers: the wire shapes of pyblish-qml's ipc/formatting.py ----------------

def plugin_type(order):
    for base, name in ((0, "Collector"), (1, "Validator"), (2, "Extractor"), (3, "Integrator")):
        if base - 0.5 <= order < base + 0.5:
            return name
    return "Other"


def format_data(data):
    return {k: v for k, v in data.items() if k in WHITELIST}


def format_instance(instance):
    return {"name": instance.name, "id": instance.id, "data": format_data(instance.data),
            "children": []}


def format_context(context):
    return {"name": context.name, "id": context.id, "data": format_data(context.data),
            "children": [format_instance(i) for i in context.instances]}


def format_action(action):
    error = None
    if action.kind == "action" and action.on not in (
            "all", "failed", "succeeded", "processed", "notProcessed", "warning",
            "failedOrWarning"):
        error = "Action had an unrecognised value for `on`: %s" % action.on
    return {"id": action.__name__, "label": action.label or action.__name__,
            "description": action.__doc__, "active": action.active, "icon": action.icon,
            "on": action.on, "__type__": action.kind, "__error__": error}


def format_plugin(plugin):
    instance_enabled = plugin.instance_enabled
    return {
        "id": plugin.__name__, "name": plugin.__name__, "label": plugin.label,
        "version": [1, 0, 0], "category": None, "requires": "pyblish>=1",
        "order": plugin.order, "optional": plugin.optional, "active": plugin.active,
        "hosts": plugin.hosts, "families": plugin.families, "targets": ["default"],
        "doc": plugin.__doc__, "match": 1, "type": plugin_type(plugin.order),
        "module": "host", "path": os.path.abspath(__file__),
        "hasRepair": plugin.repair is not None, "pre11": False,
        "contextEnabled": not instance_enabled, "instanceEnabled": instance_enabled,
        "__pre11__": False, "__contextEnabled__": not instance_enabled,
        "__instanceEnabled__": instance_enabled,
        "process": {"args": ["instance" if instance_enabled else "context"]},
        "repair": {"args": ["instance"] if plugin.repair else []},
        "actions": [format_action(a) for a in plugin.actions],
    }


def format_error(exc):
    # As pyblish-rpc does: pyblish-base attaches the last traceback frame as a tuple (file, line,
    # function, source text), sent as fname, line_number, func and exc.
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return {"message": str(exc), "fname": frame.filename, "line_number": frame.lineno,
            "func": frame.name, "exc": frame.line}


# --- The /pyblish service -------------------------------------------------------------

class Service:
    def __init__(self, plugins):
        self._all_plugins = plugins
        self._count = 0
        self._lock = threading.Lock()
        self.reset()

    def _find_plugin(self, plugin):
        wanted = plugin["id"] if isinstance(plugin, dict) else plugin
        for candidate in self._plugins:
            if candidate.__name__ == wanted:
                return candidate
        raise ValueError("No plug-in with id %s" % wanted)

    def _find_instance(self, instance):
        if instance is None:
            return None
        wanted = instance["id"] if isinstance(instance, dict) else instance
        for candidate in self._context.instances:
            if candidate.id == wanted:
                return candidate
        raise ValueError("No instance with id %s" % wanted)

    def ping(self):
        return {"message": "Hello, whomever you are"}

    def stats(self):
        return {"totalRequestCount": self._count}

    def reset(self):
        self._context = Context()
        self._plugins = sorted(self._all_plugins, key=lambda p: p.order)
        # Plug-in toggles live on the classes, as in pyblish; a reset restores them.
        for plugin in self._plugins:
            plugin.active = plugin.__dict__.get("_default_active", plugin.active)
            plugin._default_active = plugin.active
        return None

    def context(self):
        self._context.data.update({
            "host": "python", "port": OPTIONS.port, "user": getpass.getuser(),
            "connectTime": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
            "pythonVersion": sys.version, "pyblishVersion": "1.8.0-stdlib-host",
        })
        return format_context(self._context)

    def discover(self):
        if OPTIONS.fail_discover:
            raise RuntimeError("discovery is broken in this host")
        return [format_plugin(p) for p in self._plugins]

    def _run(self, func, plugin, instance, action_id):
        started = time.time()
        log = Log("pyblish." + plugin.__name__)
        error = None
        try:
            func(log)
        except Exception as exc:  # plug-in errors are data, never faults
            error = format_error(exc)
        return {
            "success": error is None, "plugin": format_plugin(plugin),
            "instance": format_instance(instance) if instance is not None else None,
            "error": error, "records": log.records,
            "duration": (time.time() - started) * 1000, "action": action_id,
        }

    def process(self, plugin, instance=None, action=None):
        cls = self._find_plugin(plugin)
        target = self._find_instance(instance)

        def run(log):
            if action:
                matches = [a for a in cls.actions if a.__name__ == action]
                if not matches:
                    raise ValueError("No action %s on %s" % (action, cls.__name__))
                act = matches[0]()
                act.log = log
                act.process(self._context, cls)
                return
            obj = cls()
            obj.log = log
            obj.process(target if cls.instance_enabled else self._context)

        return self._run(run, cls, target, action)

    def repair(self, plugin, instance=None):
        cls = self._find_plugin(plugin)
        target = self._find_instance(instance)

        def run(log):
            obj = cls()
            obj.log = log
            obj.repair(target if target is not None else self._context)

        return self._run(run, cls, target, None)

    def emit(self, signal, kwargs):
        if signal == "instanceToggled":
            self._find_instance(kwargs["instance"]).data["publish"] = kwargs["new_value"]
        elif signal == "pluginToggled":
            self._find_plugin(kwargs["plugin"]).active = kwargs["new_value"]
        elif signal == "commented":
            self._context.data["comment"] = kwargs.get("comment", "")
        elif signal == "instanceCommented":
            self._find_instance(kwargs["instance"]).data["comment"] = kwargs.get("comment", "")
        EMITTED.append(signal)
        print("EMIT %s %s" % (signal, json.dumps(kwargs, default=str)), flush=True)
        return None

    def test(self, variables):
        orders = variables.get("ordersWithError", [])
        if variables["nextOrder"] >= 1.5 and any(0.5 <= o < 1.5 for o in orders):
            return "failed validation"
        return None

    def _listMethods(self):
        return ["ping", "stats", "reset", "context", "discover", "process", "repair", "emit",
                "test"]

    def _dispatch(self, method, params):
        # Whitelisted names only (the original resolved any attribute).
        if method.startswith("_") or not hasattr(self, method):
            raise Exception('method "%s" is not supported' % method)
        with self._lock:
            self._count += 1
        return getattr(self, method)(*params)


EMITTED = []


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/pyblish",)

    def do_POST(self):
        if OPTIONS.token and self.headers.get("Authorization") != "Bearer " + OPTIONS.token:
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_POST()

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


# --- Registering with the GUI ----------------------------------------------------------

class BearerTransport(xmlrpc.client.Transport):
    def send_headers(self, connection, headers):
        if OPTIONS.gui_token:
            connection.putheader("Authorization", "Bearer " + OPTIONS.gui_token)
        super().send_headers(connection, headers)


def gui_proxy():
    return xmlrpc.client.ServerProxy("http://127.0.0.1:%d" % OPTIONS.gui_port,
                                     transport=BearerTransport(), allow_none=True)


def heartbeat(port):
    proxy = gui_proxy()
    while True:
        try:
            proxy.heartbeat(port)
        except Exception:
            proxy = gui_proxy()
        time.sleep(OPTIONS.heartbeat)


def settings():
    made = {"WindowTitle": OPTIONS.label, "ContextLabel": "Python", "WindowSize": [430, 600],
            "WindowPosition": [100, 100], "HeartbeatInterval": OPTIONS.heartbeat,
            "HiddenSections": ["Collect"], "pid": os.getpid()}
    if OPTIONS.token:
        made["token"] = OPTIONS.token
    return made


def main():
    plugins = bench_plugins(OPTIONS.plugins) if OPTIONS.plugins else default_plugins()
    proxy = gui_proxy()
    port = OPTIONS.port or proxy.find_available_port(OPTIONS.port_start)
    OPTIONS.port = port
    server = Server(("127.0.0.1", port), requestHandler=Handler, allow_none=True,
                    logRequests=False)
    server.register_introspection_functions()
    server.register_instance(Service(plugins))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=heartbeat, args=(port,), daemon=True).start()
    if not OPTIONS.no_show:
        proxy.show(port, settings())
    print("HOST READY %d" % port, flush=True)
    # Commands on stdin let a test ask this host to show itself again.
    for line in sys.stdin:
        if line.strip() == "show":
            gui_proxy().show(port, settings())
            print("SHOWN", flush=True)
    threading.Event().wait()


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gui-port", type=int, default=9090)
    parser.add_argument("--gui-token", default=os.environ.get("PYBLISH_GUI_TOKEN"))
    parser.add_argument("--token", default=None, help="require this Bearer token from the GUI")
    parser.add_argument("--port", type=int, default=0, help="serve here instead of asking")
    parser.add_argument("--port-start", type=int, default=9001, help="ask for a port from here")
    parser.add_argument("--heartbeat", type=float, default=1.0)
    parser.add_argument("--long", type=float, default=0.0)
    parser.add_argument("--instances", type=int, default=0)
    parser.add_argument("--plugins", type=int, default=0)
    parser.add_argument("--label", default="Pyblish (Python)")
    parser.add_argument("--no-show", action="store_true")
    parser.add_argument("--fail-discover", action="store_true", help="discover() raises")
    return parser.parse_args()


OPTIONS = parse()

if __name__ == "__main__":
    main()
