import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listenForLostConnections } from './lost-connections.ts';
import { prismaAdapter } from './prisma.ts';

const TERMINATED = 'terminating connection due to administrator command';

function message(type: string, payload: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(payload.length + 4);
  return Buffer.concat([Buffer.from(type), length, payload]);
}

/**
 * A server that accepts the login and, in the same write, ends the session as pg_terminate_backend
 * does (ErrorResponse 57P01): the client hears the end in the read that completed its connection.
 */
function terminatingServer(sockets: Socket[]): Server {
  const fields = ['SFATAL', 'VFATAL', 'C57P01', `M${TERMINATED}`].map((f) => Buffer.from(`${f}\0`));
  const reply = Buffer.concat([
    message('R', Buffer.from([0, 0, 0, 0])), // AuthenticationOk
    message('Z', Buffer.from('I')), // ReadyForQuery
    message('E', Buffer.concat([...fields, Buffer.from([0])])), // ErrorResponse
  ]);
  return createServer((socket) => {
    sockets.push(socket);
    socket.once('data', () => socket.end(reply));
    socket.on('error', () => undefined);
  });
}

describe('listenForLostConnections', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let url: string;
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    server = terminatingServer(sockets);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `postgresql://app@127.0.0.1:${(server.address() as { port: number }).port}/db?schema=app`;
    process.on('uncaughtException', record);
  });
  afterEach(() => {
    uncaught.length = 0;
  });
  afterAll(async () => {
    process.off('uncaughtException', record);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('hears a new connection that the server ends before whoever checked it out could listen', async () => {
    const lost: Error[] = [];
    const pool = listenForLostConnections(new pg.Pool({ connectionString: url, max: 1 }), (error) => lost.push(error));
    const client = await pool.connect();
    expect(uncaught).toEqual([]);
    expect(lost.map((e) => e.message)).toEqual([TERMINATED]);
    client.release(true);
    await pool.end();
  });

  it("keeps the Prisma adapter's transaction start from ending the process on such a connection", async () => {
    const lost: Error[] = [];
    const adapter = await prismaAdapter(url, { onConnectionLost: (error) => lost.push(error) }).connect();
    const failed = await adapter.startTransaction().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(uncaught).toEqual([]);
    expect(failed).toBeInstanceOf(Error);
    expect(lost.map((e) => e.message)).toContain(TERMINATED);
    await adapter.dispose();
  });
});
