/**
 * The two small programs the emulated pods run, as source text written to
 * each node (run with this host's node binary, which is always present where
 * tungsten-e2e runs).
 */

/** echo.mjs NAME PORT READYFILE: answers every TCP connection with NAME and a newline. */
export const ECHO_SERVER = `// tungsten-e2e emulated echo backend
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
const [name, port, ready] = process.argv.slice(2);
const server = createServer((socket) => {
  socket.on('error', () => {});
  socket.end(name + '\\n');
});
server.listen(Number(port), '0.0.0.0', () => {
  if (ready) writeFileSync(ready, String(process.pid));
});
`;

/**
 * probe.mjs TIMEOUT_MS IP:PORT…: one TCP connection per target, all at once;
 * prints one JSON line, an array of {"result","detail","durationMs"} in the
 * targets' order (result: connected | refused | timeout | unreachable |
 * error). TIMEOUT_MS runs from each connect call to its connection; once
 * connected the reply has TIMEOUT_MS of its own. Connected without a reply in
 * time is an error (the backend or this host was too slow), not a timeout:
 * the network let the connection through. A timer that fires decides only
 * after the event loop has polled once more, so a connection the kernel made
 * while the process was starved of CPU is never taken for a drop.
 */
export const PROBE = `// tungsten-e2e emulated prober
import { connect } from 'node:net';
const [timeoutArg, ...targets] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg);
const REFUSED = ['ECONNREFUSED', 'ECONNRESET'];
const UNREACHABLE = ['EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'EPERM'];
const probe = (target) =>
  new Promise((resolve) => {
    const at = target.lastIndexOf(':');
    const start = Date.now();
    let reply = '';
    let done = false;
    let connected = false;
    const finish = (result, detail) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ result, detail, durationMs: Date.now() - start });
    };
    // A timer can fire before the loop has polled an I/O event that already
    // happened (a starved process): decide only after one more poll.
    const late = (check, result, detail) => () => setImmediate(() => check() && finish(result, detail));
    const socket = connect({ host: target.slice(0, at), port: Number(target.slice(at + 1)) });
    let timer = setTimeout(
      late(() => !connected, 'timeout', 'no connection within ' + timeoutMs + ' ms'),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      const connectedIn = Date.now() - start;
      timer = setTimeout(
        late(() => true, 'error', 'connected in ' + connectedIn + ' ms, but no reply within ' + timeoutMs + ' ms more'),
        timeoutMs,
      );
    });
    socket.on('data', (d) => { reply += d; });
    socket.on('end', () => finish('connected', reply.trim()));
    socket.on('error', (e) => {
      if (reply.trim()) finish('connected', reply.trim());
      else if (REFUSED.includes(e.code)) finish('refused', e.code + ' ' + e.message);
      else if (UNREACHABLE.includes(e.code)) finish('unreachable', e.code + ' ' + e.message);
      else finish('error', (e.code ?? '') + ' ' + e.message);
    });
  });
const outcomes = await Promise.all(targets.map(probe));
process.stdout.write(JSON.stringify(outcomes) + '\\n', () => process.exit(0));
`;
