// The API reference: renders /api/openapi.json with the DOM alone. No framework, nothing from
// another origin, no inline script (the server's CSP allows scripts of our own origin only), and
// every string from the document is set as text, never parsed as HTML.

import { h, isEmpty, prose, schemaNode } from './schemaView.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const wide = window.matchMedia('(min-width: 56rem)');

/** `#/components/schemas/Market` → the object it names, and its last segment. */
function resolve(doc, ref) {
  const parts = ref.replace(/^#\//, '').split('/');
  let at = doc;
  for (const p of parts) at = at?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  return { name: parts[parts.length - 1], value: at };
}

/** Who may call: from the operation's security requirements. */
function accessNode(doc, op) {
  const reqs = op.security ?? doc.security ?? [];
  const schemes = doc.components?.securitySchemes ?? {};
  const named = reqs.flatMap((r) => Object.keys(r));
  const label = (name) => {
    const s = schemes[name] ?? {};
    if (s.type === 'http') return `${s.scheme} token`;
    if (s.in === 'cookie') return `the ${s.name} cookie`;
    if (s.in === 'header') return `a signed request (${s.name})`;
    return name;
  };
  const optional = reqs.some(isEmpty);
  const who = named.map(label).join(' or ');
  return h(
    'p',
    { class: 'access' },
    h('strong', {}, 'Access: '),
    optional ? `anyone; ${who} optional` : who || 'anyone',
  );
}

function parametersNode(op) {
  const params = op.parameters ?? [];
  if (!params.length) return '';
  return h(
    'section',
    {},
    h('h4', {}, 'Parameters'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'In', 'Required', 'Schema'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        params.map((p) =>
          h(
            'tr',
            {},
            h('td', {}, h('code', {}, p.name)),
            h('td', {}, p.in),
            h('td', {}, p.required ? 'yes' : 'no'),
            h('td', {}, schemaNode(p.schema)),
          ),
        ),
      ),
    ),
  );
}

function contentNode(content) {
  return Object.entries(content ?? {}).map(([type, media]) =>
    h('div', { class: 'media' }, h('code', { class: 'mime' }, type), ' ', schemaNode(media.schema)),
  );
}

function bodyNode(op) {
  const body = op.requestBody;
  if (!body) return '';
  return h(
    'section',
    {},
    h('h4', {}, 'Request body', body.required ? '' : h('span', { class: 'opt' }, 'optional')),
    contentNode(body.content),
  );
}

function responsesNode(doc, op) {
  const rows = Object.entries(op.responses ?? {}).map(([status, r]) => {
    const resp = r.$ref ? resolve(doc, r.$ref).value : r;
    const headers = Object.keys(resp?.headers ?? {});
    return h(
      'li',
      { class: 'resp' },
      h('span', { class: `status s${status[0]}` }, status),
      h(
        'div',
        {},
        h('p', {}, prose(resp?.description ?? '')),
        headers.length ? h('p', { class: 'note' }, 'Headers: ', headers.join(', ')) : '',
        contentNode(resp?.content),
      ),
    );
  });
  return h('section', {}, h('h4', {}, 'Responses'), h('ul', { class: 'responses' }, rows));
}

function operationNode(doc, path, method, op) {
  const id = op.operationId ?? `${method}-${path}`;
  const el = h(
    'details',
    { class: 'op', id, 'data-method': method },
    h(
      'summary',
      {},
      h(
        'h3',
        {},
        h('span', { class: `method m-${method}` }, method.toUpperCase()),
        ' ',
        h('code', { class: 'path' }, path),
        h('span', { class: 'summary' }, op.summary ?? ''),
      ),
    ),
    h(
      'div',
      { class: 'op-body' },
      op.description ? h('p', {}, prose(op.description)) : '',
      accessNode(doc, op),
      parametersNode(op),
      bodyNode(op),
      responsesNode(doc, op),
    ),
  );
  el.dataset.text = [method, path, op.summary, ...(op.tags ?? [])].join(' ').toLowerCase();
  return el;
}

/** Opens whatever the URL's fragment names (an operation or a schema) and brings it into view. */
function showTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id ? document.getElementById(id) : null;
  if (!(target instanceof HTMLDetailsElement)) return;
  target.open = true;
  target.scrollIntoView({ block: 'start' });
  target.querySelector('summary')?.focus({ preventScroll: true });
}

function render(doc) {
  const main = document.getElementById('main');
  const toc = document.getElementById('toc');
  const about = document.getElementById('about');
  about.append(
    ` Version ${doc.info?.version ?? '?'}.`,
    doc.info?.description ? h('span', { class: 'note' }, ' ', prose(doc.info.description)) : '',
  );

  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operationNode(doc, path, method, op));
    }
  }
  const order = (doc.tags ?? []).map((t) => t.name);
  const tags = [...byTag.keys()].sort((a, b) => {
    const i = order.indexOf(a);
    const j = order.indexOf(b);
    return (i < 0 ? order.length : i) - (j < 0 ? order.length : j);
  });

  const contents = h('details', { class: 'toc-box', open: wide.matches });
  contents.append(h('summary', {}, 'Contents'));
  const sections = [];
  for (const [i, tag] of tags.entries()) {
    const ops = byTag.get(tag);
    const headingId = `tag-${i}`;
    sections.push(
      h(
        'section',
        { class: 'tag', 'aria-labelledby': headingId },
        h('h2', { id: headingId }, tag),
        ops,
      ),
    );
    contents.append(
      h(
        'div',
        { class: 'toc-tag' },
        h('p', { class: 'toc-title' }, tag),
        h(
          'ul',
          {},
          ops.map((op) =>
            h(
              'li',
              { 'data-for': op.id },
              h(
                'a',
                { href: `#${op.id}` },
                h(
                  'span',
                  { class: `method m-${op.dataset.method}` },
                  op.dataset.method.toUpperCase(),
                ),
                ' ',
                op.querySelector('.path').textContent,
              ),
            ),
          ),
        ),
      ),
    );
  }

  const schemas = Object.entries(doc.components?.schemas ?? {});
  if (schemas.length) {
    sections.push(
      h(
        'section',
        { class: 'tag', 'aria-labelledby': 'tag-schemas' },
        h('h2', { id: 'tag-schemas' }, 'Schemas'),
        schemas.map(([name, s]) =>
          h(
            'details',
            { class: 'schema', id: `schema-${name}` },
            h('summary', {}, h('h3', {}, h('code', {}, name))),
            h('div', { class: 'op-body' }, schemaNode(s)),
          ),
        ),
      ),
    );
  }

  toc.replaceChildren(contents);
  document.getElementById('loading')?.remove();
  main.append(...sections);
  main.setAttribute('aria-busy', 'false');
  wide.addEventListener('change', (e) => {
    contents.open = e.matches;
  });

  const all = [...main.querySelectorAll('details.op')];
  const count = document.getElementById('count');
  const filter = document.getElementById('filter');
  const apply = () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const op of all) {
      const hit = words.every((w) => op.dataset.text.includes(w));
      op.hidden = !hit;
      toc.querySelector(`li[data-for="${CSS.escape(op.id)}"]`)?.toggleAttribute('hidden', !hit);
      if (hit) shown++;
    }
    for (const s of main.querySelectorAll('section.tag')) {
      if (s.querySelector('details.op')) s.hidden = !s.querySelector('details.op:not([hidden])');
    }
    for (const t of toc.querySelectorAll('.toc-tag')) {
      t.hidden = !t.querySelector('li:not([hidden])');
    }
    count.textContent = words.length
      ? `${shown} of ${all.length} operations`
      : `${all.length} operations`;
  };
  filter.addEventListener('input', apply);
  apply();
  window.addEventListener('hashchange', showTarget);
  showTarget();
}

async function main() {
  try {
    const res = await fetch('/api/openapi.json', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`GET /api/openapi.json answered ${res.status}`);
    render(await res.json());
  } catch (err) {
    const main = document.getElementById('main');
    document.getElementById('loading')?.remove();
    main.setAttribute('aria-busy', 'false');
    main.append(
      h('p', { role: 'alert', class: 'error' }, `The document could not be loaded: ${err.message}`),
    );
  }
}

main();
