import net from 'node:net';

/*
 * A loopback TCP proxy the tests can cut, hang and restore, to simulate a
 * database or Redis that is down, or up but silent, without touching the
 * shared servers. Hand-written because the usual tool (toxiproxy) is a
 * separate binary and this needs ~60 lines.
 */
export class TcpProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  private held: { to: net.Socket; chunk: Buffer }[] = [];
  private hung = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.hung) this.held.push({ to, chunk });
      else to.write(chunk);
    });
  }

  /** Drops every connection and refuses new ones, like a server going away. */
  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Accepts connections again on the same port. */
  restore(): Promise<void> {
    return this.start();
  }

  /**
   * Keeps every connection open and accepts new ones, but passes nothing on
   * in either direction: a server stopped with SIGSTOP, or a black-holed
   * route. What was sent meanwhile is held, as the kernel would.
   */
  hang(): void {
    this.hung = true;
  }

  /** Delivers what was held, in order, and forwards again (SIGCONT). */
  resume(): void {
    this.hung = false;
    for (const { to, chunk } of this.held.splice(0)) if (!to.destroyed) to.write(chunk);
  }
}
