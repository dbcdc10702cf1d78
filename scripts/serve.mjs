// serve.mjs - a static file server for the demo and the browser tests.
// Serves the repository root, so /web/ (the demo) and /dist/ (the built
// library and its .wasm, as application/wasm) are both reachable.
//
//   node scripts/serve.mjs                  http://localhost:8080/web/
//   PORT=8123 HOST=0.0.0.0 node scripts/serve.mjs
//
// Tests: const { url, close } = await startServer({ port: 0 });
//
// Pages are cross-origin isolated (COOP same-origin + COEP require-corp), so
// they may share wasm memory with workers and run the multi-threaded build
// (init({ threads })). A URL with ?noisolation is served without those
// headers, to see the single-threaded fallback.
//
// Tests: startServer({ headScript }) puts a script first in every HTML
// page's <head> (tests/helpers/engines.mjs records errors with it).
import { readFileSync, statSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sirv from 'sirv';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function isDirectory(urlPath) {
  try {
    const decoded = decodeURIComponent(urlPath);
    if (decoded.includes('\0') || decoded.split('/').includes('..')) return false;
    return statSync(new URL(`.${decoded}`, pathToFileURL(ROOT)), { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

function hasDotSegment(urlPath) {
  let decoded = urlPath;
  try { decoded = decodeURIComponent(urlPath); } catch { return true; }
  return decoded.split(/[\\/]/).some((seg) => seg.startsWith('.'));
}

// The HTML file a request names (a folder means its index.html), or null.
function htmlFile(urlPath) {
  if (!/(\/|\.html)$/.test(urlPath)) return null;
  try {
    const file = new URL(`.${decodeURIComponent(urlPath)}${urlPath.endsWith('/') ? 'index.html' : ''}`, pathToFileURL(ROOT));
    return statSync(file, { throwIfNoEntry: false })?.isFile() ? file : null;
  } catch {
    return null;
  }
}

function sendWithHeadScript(res, file, headScript) {
  const html = readFileSync(file, 'utf8').replace(/<head[^>]*>/i, (head) => `${head}<script>${headScript}</script>`);
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

function notFound(res, path) {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`404 not found: ${path}\n`);
}

function redirect(res, location) {
  res.writeHead(302, { Location: location, 'Content-Length': 0 });
  res.end();
}

/**
 * Starts the server. port 0 picks a free ephemeral port.
 * @param {{ port?: number, host?: string, quiet?: boolean, headScript?: string }} [options]
 * @returns {Promise<{ url: string, port: number, server: import('node:http').Server, close: () => Promise<void> }>}
 *   url is the server's root, e.g. 'http://127.0.0.1:41234/'.
 */
export async function startServer({ port = 8080, host = '127.0.0.1', quiet = true, headScript = null } = {}) {
  // dev: read files on every request and send no-store, so a rebuilt dist/
  // is picked up without restarting. (sirv's dev mode does not filter
  // dotfiles itself; the handler below refuses them.)
  const files = sirv(ROOT, { dev: true, extensions: ['html'] });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const query = (req.url ?? '').slice(path.length);
    if (!/[?&]noisolation\b/.test(query)) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (path === '/' || path === '/index.html') return redirect(res, `/web/${query}`);
    if (hasDotSegment(path)) return notFound(res, path); // .git, .ci, ...
    // /web -> /web/, so the page's relative URLs (./app.js) resolve under it.
    if (!path.endsWith('/') && isDirectory(path)) return redirect(res, `${path}/${query}`);
    const html = headScript ? htmlFile(path) : null;
    if (html) return sendWithHeadScript(res, html, headScript);
    files(req, res, () => notFound(res, path));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${actualPort}/`;
  if (!quiet) console.log(`rnn-wasm demo: http://localhost:${actualPort}/web/`);
  let closing = null;
  const close = () => {
    closing ??= new Promise((resolve) => {
      server.close(() => resolve());
      // Browsers keep connections alive; drop them so close() finishes now.
      server.closeAllConnections?.();
    });
    return closing;
  };
  return { url, port: actualPort, server, close };
}

function runDirectly() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (runDirectly()) {
  const port = Number(process.env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: PORT must be an integer in [0, 65535], got ${process.env.PORT}`);
    process.exit(1);
  }
  const host = process.env.HOST || '127.0.0.1';
  // Handlers first, so Ctrl-C / SIGTERM during start-up also exit cleanly.
  let running = null;
  const stop = async () => {
    await (await running?.catch(() => null))?.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  running = startServer({ port, host, quiet: false });
  try {
    await running;
  } catch (err) {
    const hint = err.code === 'EADDRINUSE' ? ` (port ${port} is in use; try PORT=${port === 8080 ? 8081 : 8080})` : '';
    console.error(`serve.mjs: could not start the server on ${host}:${port}: ${err.message}${hint}`);
    process.exit(1);
  }
}
