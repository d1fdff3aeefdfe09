import express from 'express';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { multistatus } from '../../app/carddav/multistatus-stream.ts';
import { DAV, el, type XmlElement } from '../../app/carddav/xml.ts';

/*
 * The streamed multistatus against clients that stop: one that reads nothing
 * (a socket and a page of cards held without end, before) and one that hangs
 * up (the sync-token written after it waited on a drain that never came).
 * A real HTTP server and a raw socket, so the kernel's buffers fill as they
 * would.
 */

const servers: { close(): void }[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** Responses of 64 KB each, as many as are pulled, counting them. */
function endless(counter: { pulled: number; finished: boolean }): AsyncIterable<XmlElement> {
  return (async function* () {
    try {
      for (;;) {
        counter.pulled++;
        yield el(DAV, 'response', el(DAV, 'href', 'x'.repeat(64 * 1024)));
      }
    } finally {
      counter.finished = true;
    }
  })();
}

async function serve(handler: express.RequestHandler) {
  const app = express();
  app.get('/', handler);
  const server = app.listen(0);
  servers.push(server);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function request(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  return socket;
}

describe('the streamed multistatus and clients that stop', () => {
  it('cuts a client that reads nothing for the stalled-reader time, and stops reading responses', async () => {
    const counter = { pulled: 0, finished: false };
    let ended: Promise<void> | undefined;
    let closed = false;
    const port = await serve((_req, res) => {
      res.on('close', () => (closed = true));
      ended = multistatus(res, endless(counter), { stalledReaderMs: 300 });
    });
    const socket = request(port);
    socket.pause(); // reads nothing
    const started = performance.now();
    await expect.poll(() => closed, { timeout: 5_000, interval: 50 }).toBe(true);
    await ended;
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(counter.finished).toBe(true);
    // What was pulled is what the socket's buffers took, not the endless rest.
    const pulledAtCut = counter.pulled;
    await new Promise((r) => setTimeout(r, 200));
    expect(counter.pulled).toBe(pulledAtCut);
    expect(pulledAtCut).toBeLessThan(1_000);
  });

  it('finishes (without the after-part) when the client hangs up, rather than waiting on a drain', async () => {
    const counter = { pulled: 0, finished: false };
    let after = 0;
    let ended: Promise<void> | undefined;
    const port = await serve((_req, res) => {
      ended = multistatus(res, endless(counter), { after: () => [el(DAV, 'sync-token', String(++after))], stalledReaderMs: 60_000 });
    });
    const socket = request(port);
    socket.once('data', () => socket.destroy()); // the first bytes, then gone
    await expect.poll(() => ended !== undefined, { timeout: 5_000 }).toBe(true);
    const outcome = await Promise.race([ended!.then(() => 'ended'), new Promise((r) => setTimeout(() => r('hung'), 5_000))]);
    expect(outcome).toBe('ended');
    expect(after).toBe(0);
    expect(counter.finished).toBe(true);
  });
});
