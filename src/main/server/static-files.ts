/** Serves the built renderer's files read-only, never outside its folder. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serve a GET or HEAD for a file under `root`; `/` serves index.html.
 * Paths that escape the root, hidden files and unknown types get 404.
 */
export async function serveStaticFile(request: IncomingMessage, response: ServerResponse, root: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }

  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    response.writeHead(400).end('Bad request path');
    return;
  }
  if (pathname.endsWith('/')) pathname += 'index.html';

  const relative = normalize(pathname).replace(/^([/\\])+/, '');
  const filePath = join(root, relative);
  const isInsideRoot = filePath.startsWith(root.endsWith(sep) ? root : root + sep);
  const contentType = contentTypes[extname(filePath).toLowerCase()];
  if (!isInsideRoot || relative.split(/[/\\]/).some((part) => part.startsWith('.')) || contentType === undefined) {
    response.writeHead(404).end('Not found');
    return;
  }

  try {
    const info = await stat(filePath);
    if (!info.isFile()) throw new Error('not a file');
    response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': info.size, 'Cache-Control': 'no-cache' });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(filePath).pipe(response);
  } catch {
    response.writeHead(404).end('Not found');
  }
}
