/**
 * The explorer's local web server (Node's own `http`): the page, and a small JSON API over a
 * Session. It listens on 127.0.0.1 only, and every request must carry the random token of the URL
 * it prints (`?token=`): another local user, or a web page in the same browser, cannot drive it
 * without reading that URL. Requests whose Host is not this address are refused too (a web page
 * that rebinds its own name to 127.0.0.1 cannot reach it). Nothing is fetched from elsewhere: the
 * page's script and style are inline, and its Content-Security-Policy forbids anything else.
 *
 *   GET /?token=T[&path=0.3.1]              the page
 *   GET /api/state?token=T&path=0.3.1       the state at that path (ExploreState, JSON)
 *   GET /api/chart?token=T&path=0.3.1       the path's sequence chart: { svg, legend } (JSON)
 *   GET /api/find?token=T&path=…&target=…   the shortest path from there to a target (FindResult, JSON)
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultlineError, ModelError, UsageError } from '../model/errors.js';
import { explorerPage } from './page.js';
import { parsePath, pathText, type Session } from './session.js';

export interface ExplorerOptions {
  /** The port to listen on (0, the default: any free one). */
  readonly port?: number;
  /** The path the printed URL opens at (a saved trace's). */
  readonly path?: readonly number[];
  /** How long one search for a shortest path may run (default 60 s). */
  readonly searchTimeLimitMs?: number;
  /** A fixed token (tests); default: 128 random bits. */
  readonly token?: string;
}

export interface Explorer {
  /** The URL to open, with the token. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Stop listening, end open connections and any search. */
  close(): Promise<void>;
}

/** Start serving `session` on 127.0.0.1. */
export async function startExplorer(session: Session, options: ExplorerOptions = {}): Promise<Explorer> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const stop = new AbortController();
  const searchMs = options.searchTimeLimitMs ?? 60_000;
  let port = 0;

  const allowed = (req: IncomingMessage, url: URL): boolean => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return false;
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!allowed(req, url)) return send(res, 403, 'text/plain', 'forbidden: open the URL faultline explore printed (it carries a token)\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    try {
      switch (url.pathname) {
        case '/': {
          const nonce = randomBytes(16).toString('base64');
          return send(res, 200, 'text/html', explorerPage(session.title, nonce), nonce);
        }
        case '/api/state':
          return json(res, 200, session.state(parsePath(url.searchParams.get('path'))));
        case '/api/chart':
          return json(res, 200, await session.chart(parsePath(url.searchParams.get('path'))));
        case '/api/find': {
          const target = url.searchParams.get('target');
          if (!target) throw new UsageError('give a target: /api/find?target=invariant:Name (or witness:Name, liveness:Name, deadlock)');
          return json(res, 200, await session.find(parsePath(url.searchParams.get('path')), target, { timeLimitMs: searchMs, signal: stop.signal }));
        }
        default:
          return json(res, 404, { error: `no such page: ${url.pathname}` });
      }
    } catch (e) {
      // Bad input is the asker's (400); a model that throws on this state is the model's (500).
      if (e instanceof UsageError) return json(res, 400, { error: e.message });
      if (e instanceof ModelError || e instanceof FaultlineError) return json(res, 500, { error: e.message.split('\n')[0] });
      throw e;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new UsageError(`port ${options.port} is in use: give another with --port, or leave --port out for any free one`) : e.code === 'EACCES' ? new UsageError(`port ${options.port} needs privileges: give one above 1023`) : e),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const start = options.path && options.path.length > 1 ? `&path=${pathText(options.path)}` : '';
  return {
    url: `http://127.0.0.1:${port}/?token=${token}${start}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        stop.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, nonce?: string): void {
  const headers: Record<string, string> = {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
  // The page runs its one inline script (a fresh nonce each time) and fetches from here only.
  if (type === 'text/html')
    headers['content-security-policy'] = `default-src 'none'; script-src 'nonce-${nonce ?? ''}'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  res.writeHead(status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}
