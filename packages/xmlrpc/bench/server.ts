// A server process for the benchmark, so client and server each get a core as Python's do.
// usage: server.ts xmlrpc|bare   (prints the port, then serves until killed; each line read on
// stdin is answered on stdout with the CPU time this process has used, in microseconds)
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, MethodRegistry } from '@pyblish/xmlrpc';

const mode = process.argv[2];
process.stdin.on('data', () => {
  const { user, system } = process.cpuUsage();
  console.log(user + system);
});
if (mode === 'bare') {
  // The floor: keep-alive node:http that reads the body and answers a fixed small XML reply.
  const reply = Buffer.from(
    '<?xml version="1.0"?>\n<methodResponse><params><param><value><string>pong</string></value></param></params></methodResponse>\n',
  );
  const server = createHttpServer({ keepAliveTimeout: 15_000, noDelay: true }, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': reply.length });
      res.end(reply);
    });
  });
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
} else {
  const registry = new MethodRegistry().register('ping', () => 'pong').register('echo', ([v]) => v ?? null);
  const server = await createServer({ port: 0, routes: { '/RPC2': registry } });
  console.log(server.port);
}
