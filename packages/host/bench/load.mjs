// A load generator in its own process, so the process under test does not share its event loop
// with the client measuring it: keep-alive connections over node:net, each sending one request,
// reading the whole reply (by its Content-Length), and sending the next, for a fixed time.
// usage: node load.mjs '{"port":N,"path":"/pyblish","body":"<xml>","headers":{...},"connections":1,"ms":2000}'
// prints {"requests":N,"seconds":S,"rate":R,"errors":E}
import { connect } from 'node:net';

const spec = JSON.parse(process.argv[2]);
const body = Buffer.from(spec.body, 'utf8');
const head = [
  `POST ${spec.path} HTTP/1.1`,
  `Host: 127.0.0.1:${spec.port}`,
  'Content-Type: text/xml',
  `Content-Length: ${body.length}`,
  ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  '',
  '',
].join('\r\n');
const request = Buffer.concat([Buffer.from(head, 'latin1'), body]);
const HEAD_END = Buffer.from('\r\n\r\n');

let requests = 0;
let errors = 0;
let measuring = false;
let stopped = false;

function client() {
  return new Promise((resolve) => {
    const socket = connect({ port: spec.port, host: '127.0.0.1', noDelay: true });
    let buffered = Buffer.alloc(0);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf(HEAD_END);
        if (end < 0) return;
        const header = buffered.subarray(0, end).toString('latin1');
        const length = Number(/content-length:\s*(\d+)/i.exec(header)?.[1] ?? 0);
        const total = end + 4 + length;
        if (buffered.length < total) return;
        if (!header.startsWith('HTTP/1.1 200')) errors++;
        buffered = buffered.subarray(total);
        if (measuring) requests++;
        if (stopped) {
          socket.end();
          resolve();
          return;
        }
        socket.write(request);
      }
    });
    socket.on('error', () => {
      errors++;
      resolve();
    });
    // A server that closes the connection (no keep-alive) ends this client: counted as an error.
    socket.on('close', () => {
      if (!stopped) errors++;
      resolve();
    });
  });
}

const clients = Array.from({ length: spec.connections ?? 1 }, client);
// A short warm-up before counting: connections open, both sides' code compiled.
await new Promise((r) => setTimeout(r, spec.warmupMs ?? 300));
measuring = true;
const started = performance.now();
await new Promise((r) => setTimeout(r, spec.ms ?? 2000));
measuring = false;
const seconds = (performance.now() - started) / 1000;
stopped = true;
await Promise.all(clients);
console.log(JSON.stringify({ requests, seconds, rate: requests / seconds, errors }));
