/**
 * The console's static files, shipped in the package: `console/static/` (the page, styles, the
 * vendored uPlot) and the compiled browser code (`dist/console/web/`). Read once at start. Assets
 * live under a path holding a digest of them all, so they are cached for good (immutable); the
 * page that names that path is revalidated each time (no-cache with an ETag).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { SECURITY_HEADERS } from './http-io.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

export interface AssetDirs {
  /** console/static: index.html and the files it names. */
  readonly staticDir: string;
  /** The compiled browser code (dist/console/web). */
  readonly webDir: string;
}

function walk(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) return walk(file, keep);
    return keep(file) ? [file] : [];
  });
}

const etagOf = (b: Buffer) =>
  `"${createHash('sha256').update(b).digest('base64url').slice(0, 22)}"`;

export class StaticAssets {
  /** Path under the assets prefix → asset. */
  private readonly assets = new Map<string, Asset>();
  /** The digest of every asset: the immutable path segment. */
  readonly version: string;
  private readonly page: Asset;

  constructor(dirs: AssetDirs) {
    const add = (base: string, keep: (f: string) => boolean) => {
      for (const f of walk(base, keep)) {
        const body = readFileSync(f);
        const rel = relative(base, f).split(sep).join('/');
        this.assets.set(rel, {
          body,
          type: TYPES[extname(f)] ?? 'application/octet-stream',
          etag: etagOf(body),
        });
      }
    };
    add(dirs.staticDir, (f) => !f.endsWith('index.html') && TYPES[extname(f)] !== undefined);
    add(dirs.webDir, (f) => f.endsWith('.js'));
    const all = createHash('sha256');
    for (const [rel, a] of [...this.assets].sort(([x], [y]) => (x < y ? -1 : 1)))
      all.update(rel).update('\0').update(a.body);
    this.version = all.digest('hex').slice(0, 16);
    const html = readFileSync(join(dirs.staticDir, 'index.html'), 'utf8').replaceAll(
      '__ASSETS__',
      `assets/${this.version}`
    );
    const body = Buffer.from(html);
    this.page = { body, type: 'text/html; charset=utf-8', etag: etagOf(body) };
  }

  has(path: string): boolean {
    return this.assets.has(path);
  }

  /** The console page: always revalidated (it names the current assets). */
  servePage(req: IncomingMessage, res: ServerResponse): void {
    this.send(req, res, this.page, 'no-cache');
  }

  /** `rest` is what follows /console/assets/: VERSION/PATH. */
  serveAsset(req: IncomingMessage, res: ServerResponse, rest: string): void {
    const slash = rest.indexOf('/');
    const version = rest.slice(0, slash);
    const asset = slash > 0 ? this.assets.get(rest.slice(slash + 1)) : undefined;
    if (!asset) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('not found\n');
    }
    // An older page may ask for assets of a previous version: serve what there is, uncached.
    this.send(
      req,
      res,
      asset,
      version === this.version ? 'public, max-age=31536000, immutable' : 'no-cache'
    );
  }

  private send(req: IncomingMessage, res: ServerResponse, a: Asset, cache: string): void {
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': a.type,
      'cache-control': cache,
      etag: a.etag,
    };
    if (req.headers['if-none-match'] === a.etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-length': a.body.length });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  }
}

/** Where the shipped assets are, below the package root; undefined when the browser code was
 * not built (the console then says so instead of serving a page that cannot run). */
export function assetDirs(packageRoot: string): AssetDirs | undefined {
  const dirs = {
    staticDir: join(packageRoot, 'console', 'static'),
    webDir: join(packageRoot, 'dist', 'console', 'web'),
  };
  return existsSync(join(dirs.staticDir, 'index.html')) && existsSync(join(dirs.webDir, 'main.js'))
    ? dirs
    : undefined;
}
