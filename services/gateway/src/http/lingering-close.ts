import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

const lingering = new WeakSet<Socket>();

/**
 * Closes in stages when the gateway answers before the client has finished sending its request (a 413
 * part-way through an oversized body), as RFC 9112 §9.6 asks: the answer and a FIN first, then it
 * keeps reading and discarding what the client still sends until the client closes its side too, for
 * at most `lingerMs` (PT_HTTP_LINGER_MS; nginx's lingering_timeout is 5 s), and only then closes.
 * Node's own close destroys the socket as soon as the answer is written; with the client's bytes still
 * arriving the kernel answers them with a reset, and a client still writing then fails with
 * EPIPE/ECONNRESET before it has read the answer (a chunked upload over the limit saw no 413 at all,
 * only a broken connection).
 *
 * A request the client sends after the body on such a connection is dropped unanswered (never
 * forwarded): the gateway has already said it closes this connection.
 */
export function lingerBeforeClosing(app: FastifyInstance, lingerMs: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    if (!lingering.has(socket)) return done();
    void reply.hijack();
    socket.destroySoon();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const socket = request.raw.socket;
    if (!request.raw.complete && reply.getHeader('connection') === 'close' && socket)
      linger(socket, lingerMs);
    done(null, payload);
  });
}

function linger(socket: Socket, lingerMs: number): void {
  lingering.add(socket);
  let closing = false;
  // Node's http server calls destroySoon() once the last answer on a closing connection is written.
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (closing) return;
    closing = true;
    this.end();
    const timer = setTimeout(() => this.destroy(), lingerMs).unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
    // What still arrives goes through the request's parser into the dumped request, i.e. nowhere.
    this.resume();
  };
}
