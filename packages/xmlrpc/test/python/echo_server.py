"""A Python standard-library XML-RPC server, as existing Pyblish peers run it.

Prints its port on the first line of stdout, then serves until killed.
"""
import sys
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

stats = {"gzip_requests": 0, "requests": 0}


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/", "/RPC2", "/pyblish")

    def decode_request_content(self, data):
        stats["requests"] += 1
        if self.headers.get("content-encoding", "identity").lower() == "gzip":
            stats["gzip_requests"] += 1
        return super().decode_request_content(data)

    def log_message(self, *args):
        pass


server = SimpleXMLRPCServer(
    ("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0),
    requestHandler=Handler,
    allow_none=True,
    use_builtin_types=True,
    logRequests=False,
)
server.register_introspection_functions()
server.register_multicall_functions()


def echo(value=None):
    return value


def describe(value):
    """What Python decoded: its type name and its ascii() repr (Python cannot send every value back)."""
    return [type(value).__name__, ascii(value)]


def fault(code, message):
    raise xmlrpc.client.Fault(code, message)


def ansi():
    """A log line as a plug-in writes it: Python sends the ESC characters raw (not well-formed XML)."""
    return "\x1b[31mred\x1b[0m"


def text(n):
    return "x" * n


server.register_function(lambda: "pong", "ping")
server.register_function(echo)
server.register_function(describe)
server.register_function(fault)
server.register_function(ansi)
server.register_function(text)
server.register_function(lambda: dict(stats), "stats")

print(server.server_address[1], flush=True)
server.serve_forever()
