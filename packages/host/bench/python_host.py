"""A Python standard-library host with a service equivalent to ours, for the benchmark.

It serves /pyblish like pyblish-qml's RPC-era host (threaded SimpleXMLRPCServer, allow_none):
ping, context() with whitelisted data, and process() of a trivial plug-in whose result carries the
plug-in in full. bench_populate(n) fills the context with n instances. Prints {"port": N}.
"""

import getpass
import json
import platform
import sys
import time
import uuid
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

WHITELIST = ("name", "label", "family", "families", "category", "publish", "comment", "optional",
             "host", "port", "user", "connectTime", "postCollectOrder", "pyblishVersion",
             "pyblishRPCVersion", "pythonVersion")


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/pyblish",)


class Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


class Instance(object):
    def __init__(self, name, data):
        self.id = str(uuid.uuid4())
        self.name = name
        self.data = dict(data, name=name)


class Context(list):
    def __init__(self):
        super(Context, self).__init__()
        self.id = str(uuid.uuid4())
        self.name = "Context"
        self.data = {}


class Trivial(object):
    """Does nothing."""
    id = "Trivial"
    label = None
    order = 1
    families = ["*"]
    hosts = ["*"]
    targets = ["default"]
    optional = False
    active = True
    version = (0, 0, 0)
    requires = "pyblish>=1"
    actions = []

    def process(self, context):
        pass


def data_of(data):
    return dict((k, data[k]) for k in WHITELIST if k in data)


def instance_of(instance):
    return {"name": instance.name, "id": instance.id, "data": data_of(instance.data), "children": []}


def plugin_of(plugin):
    return {
        "id": plugin.id, "name": plugin.__name__, "label": plugin.label,
        "version": list(plugin.version), "category": None, "requires": plugin.requires,
        "order": plugin.order, "optional": plugin.optional, "active": plugin.active,
        "hosts": plugin.hosts, "families": plugin.families, "targets": plugin.targets,
        "doc": plugin.__doc__, "match": 1, "type": "Validator", "module": __name__,
        "path": __file__, "hasRepair": False, "pre11": False, "contextEnabled": True,
        "instanceEnabled": False, "__pre11__": False, "__contextEnabled__": True,
        "__instanceEnabled__": False, "process": {"args": ["self", "context"]},
        "repair": {"args": ["self"]}, "actions": [],
    }


class Service(object):
    def __init__(self, port):
        self.port = port
        self.context = Context()
        self.plugins = {Trivial.id: Trivial}
        self.count = 0

    def ping(self):
        return {"message": "Hello, whomever you are"}

    def bench_populate(self, n):
        self.context = Context()
        for i in range(n):
            self.context.append(Instance("instance%05d" % i, {
                "family": "model", "families": ["geometry"], "publish": True,
                "label": "Instance %d" % i, "nodes": ["|a|b|c"] * 5}))
        return len(self.context)

    def context_(self):
        self.context.data.update({
            "host": "python", "port": self.port, "user": getpass.getuser(),
            "connectTime": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
            "pyblishVersion": "1.9.0", "pythonVersion": platform.python_version()})
        return {"name": self.context.name, "id": self.context.id,
                "data": data_of(self.context.data),
                "children": [instance_of(i) for i in self.context]}

    def process(self, plugin, instance, action):
        started = time.time()
        cls = self.plugins[plugin["id"]]
        cls().process(self.context)
        return {"success": True, "plugin": plugin_of(cls), "instance": None, "error": None,
                "records": [], "duration": (time.time() - started) * 1000}


def main():
    server = Server(("127.0.0.1", 0), requestHandler=Handler, allow_none=True, logRequests=False)
    service = Service(server.server_address[1])
    for name in ("ping", "bench_populate", "process"):
        server.register_function(getattr(service, name), name)
    server.register_function(service.context_, "context")
    sys.stdout.write(json.dumps({"port": server.server_address[1]}) + "\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
