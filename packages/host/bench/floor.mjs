// The floor of the host benchmark: a bare keep-alive node:http server that answers each call with
// bytes captured from our host's real reply to the same method, without decoding the request or
// doing any work. No host served over node:http on this machine can beat its figures.
// usage: node floor.mjs   (prints the port; each stdin line "METHOD FILE" sets METHOD's reply)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const replies = new Map();
createInterface({ input: process.stdin }).on('line', (line) => {
  const [method, file] = line.split(' ');
  replies.set(method, readFileSync(file));
  console.log('ok');
});

const server = createServer({ keepAliveTimeout: 15_000, noDelay: true }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const name = /<methodName>([^<]*)<\/methodName>/.exec(Buffer.concat(chunks).toString('latin1'));
    const reply = replies.get(name?.[1]);
    if (reply === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': reply.length });
    res.end(reply);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
