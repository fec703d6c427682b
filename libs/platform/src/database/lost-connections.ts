import type pg from 'pg';

/**
 * Makes sure no connection of `pool` fails unheard. node-postgres emits `'error'` on a client whose
 * server ended the session (a restart, pg_terminate_backend), and an `'error'` event nobody listens
 * for ends the process. pg-pool listens while a client is idle and leaves it to whoever checked it
 * out; but a new connection is handed over from inside the socket's read, and when the server's
 * "terminating connection" arrives in the same read, the client emits it before its new holder (an
 * `await pool.connect()` resumes a microtask later) could listen. So every client gets a listener
 * of its own from the start; it reports an error only when nobody else heard it, and the pool
 * reports those of idle clients.
 */
export function listenForLostConnections<P extends pg.Pool>(pool: P, onLost: (error: Error) => void): P {
  pool.on('error', (error) => onLost(error));
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (client.listenerCount('error') === 1) onLost(error);
    });
  });
  return pool;
}
