import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { openApiDocument } from './openapi.ts';

/** The reference page and its script and styles: files of our own origin, no CDN. */
const PAGE_DIR = fileURLToPath(new URL('./apiDocs/', import.meta.url));

/**
 * GET /api/openapi.json, the document generated from the route table (built on the first
 * request, then kept: it changes only with the code), and GET /api/docs, the page that renders
 * it in the browser.
 */
export function docsRoutes(version: string): Router {
  const r = Router();
  let built: { json: string; etag: string } | undefined;
  const document = () => {
    if (!built) {
      const json = JSON.stringify(openApiDocument(version));
      const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
      built = { json, etag };
    }
    return built;
  };

  r.get('/openapi.json', (req, res) => {
    const { json, etag } = document();
    // The same for every caller: shared caches may keep it; the ETag makes revalidation cheap.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('ETag', etag);
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(json);
  });

  r.get('/docs', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(PAGE_DIR, 'index.html'));
  });
  // Revalidated on each load (by ETag), so a page and its script never come from two versions.
  r.use('/docs', express.static(PAGE_DIR, { index: false, maxAge: 0 }));
  return r;
}
