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
 * probe.mjs IP PORT TIMEOUT_MS: one TCP connection; prints one JSON line
 * {"result":"connected"|"refused"|"timeout"|"error","detail":…,"durationMs":…}.
 * TIMEOUT_MS runs from the connect call (not from process start) to the
 * connection; once connected the reply has TIMEOUT_MS of its own. Connected
 * without a reply is an error (the backend or this host was too slow), not a
 * timeout: the network let the connection through.
 */
export const PROBE = `// tungsten-e2e emulated probe
import { connect } from 'node:net';
const [ip, port, timeoutMs] = process.argv.slice(2);
let done = false;
let reply = '';
const finish = (result, detail) => {
  if (done) return;
  done = true;
  process.stdout.write(JSON.stringify({ result, detail, durationMs: Date.now() - start }) + '\\n');
  socket.destroy();
  process.exit(0);
};
const start = Date.now();
const socket = connect({ host: ip, port: Number(port) });
let timer = setTimeout(() => finish('timeout', 'no connection within ' + timeoutMs + ' ms'), Number(timeoutMs));
socket.setEncoding('utf8');
socket.on('connect', () => {
  clearTimeout(timer);
  const connectedIn = Date.now() - start;
  timer = setTimeout(
    () => finish('error', 'connected in ' + connectedIn + ' ms, but no reply within ' + timeoutMs + ' ms more'),
    Number(timeoutMs),
  );
});
socket.on('data', (d) => { reply += d; });
socket.on('end', () => {
  clearTimeout(timer);
  if (reply.trim()) finish('connected', reply.trim());
  else finish('refused', 'connection closed without a reply');
});
socket.on('error', (e) => {
  clearTimeout(timer);
  const blocked = ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'EPERM'];
  if (reply.trim()) finish('connected', reply.trim());
  else finish(blocked.includes(e.code) ? 'refused' : 'error', (e.code ?? '') + ' ' + e.message);
});
`;
