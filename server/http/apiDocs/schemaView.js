// Schemas as readable outlines, for the API reference page (viewer.js). Every string from the
// document is set as text, never parsed as HTML.

/** An element: `h('p', { class: 'x' }, 'text', child)`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false || v === null) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false || c === '') continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const isEmpty = (s) => s && typeof s === 'object' && Object.keys(s).length === 0;

/** Text with `code` spans, as the document's descriptions write them. */
export function prose(text) {
  return String(text)
    .split('`')
    .map((part, i) => (i % 2 ? h('code', {}, part) : part));
}

/** The constraints of a schema worth showing, as small labelled chips. */
function constraints(s) {
  const out = [];
  const chip = (label, value) =>
    out.push(h('span', { class: 'c' }, label, value === undefined ? '' : h('code', {}, value)));
  if (s.enum) chip('one of ', s.enum.map((v) => JSON.stringify(v)).join(' | '));
  if (s.const !== undefined) chip('= ', JSON.stringify(s.const));
  if (s.format) chip('format ', s.format);
  // Integers bounded only by what a double holds exactly say nothing worth reading.
  const safe = (n) => Math.abs(n) === Number.MAX_SAFE_INTEGER;
  if (s.minimum !== undefined && !safe(s.minimum)) chip('≥ ', s.minimum);
  if (s.exclusiveMinimum !== undefined) chip('> ', s.exclusiveMinimum);
  if (s.maximum !== undefined && !safe(s.maximum)) chip('≤ ', s.maximum);
  if (s.exclusiveMaximum !== undefined) chip('< ', s.exclusiveMaximum);
  if (s.minLength !== undefined) chip('min length ', s.minLength);
  if (s.maxLength !== undefined) chip('max length ', s.maxLength);
  if (s.minItems !== undefined) chip('min items ', s.minItems);
  if (s.maxItems !== undefined) chip('max items ', s.maxItems);
  // A date-time's pattern restates its format at length.
  if (s.pattern && !s.format) chip('pattern ', s.pattern);
  if (s.default !== undefined) chip('default ', JSON.stringify(s.default));
  return out;
}

/** A schema as a readable outline; components are links to their own entry. */
export function schemaNode(s) {
  if (!s || isEmpty(s)) return h('span', { class: 'type' }, 'any value');
  if (s.$ref) {
    const name = s.$ref.split('/').pop();
    return h('a', { class: 'ref', href: `#schema-${name}` }, name);
  }
  const note = s.description ? h('span', { class: 'note' }, ' — ', prose(s.description)) : '';
  if (s.not && isEmpty(s.not)) return h('span', { class: 'type' }, 'no body');
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    const some = variants.filter((v) => v.type !== 'null');
    const orNull = some.length < variants.length ? ' or null' : '';
    if (some.length === 1) return h('span', {}, schemaNode(some[0]), orNull, note);
    return h(
      'div',
      { class: 'union' },
      h('span', { class: 'kw' }, `one of${orNull}`),
      note,
      h(
        'ol',
        {},
        some.map((v) => h('li', {}, schemaNode(v))),
      ),
    );
  }
  const codes = s.allOf?.[1]?.properties?.error?.properties?.code?.enum;
  if (s.allOf?.length === 2 && s.allOf[0].$ref && codes) {
    // An error answer: the shared body, with the codes this status can carry.
    return h(
      'span',
      {},
      schemaNode(s.allOf[0]),
      ' with ',
      h('code', {}, 'error.code'),
      ' ',
      codes.map((c, i) => [i ? ' or ' : '', h('code', {}, c)]),
    );
  }
  if (s.allOf) {
    return h(
      'div',
      { class: 'union' },
      h('span', { class: 'kw' }, 'all of'),
      note,
      h(
        'ul',
        {},
        s.allOf.map((v) => h('li', {}, schemaNode(v))),
      ),
    );
  }
  const type = Array.isArray(s.type) ? s.type.join(' or ') : s.type;
  if (type === 'object' || s.properties) {
    const required = new Set(s.required ?? []);
    const props = Object.entries(s.properties ?? {});
    const extra = s.additionalProperties;
    const head = h(
      'span',
      { class: 'type' },
      'object',
      extra === false ? ' (no other fields)' : '',
      s.propertyNames ? ' keyed by ' : '',
    );
    const values =
      extra && typeof extra === 'object' && !isEmpty(extra)
        ? h('span', {}, ' of ', schemaNode(extra))
        : '';
    return h(
      'div',
      { class: 'object' },
      head,
      values,
      note,
      props.length
        ? h(
            'ul',
            { class: 'props' },
            props.map(([name, p]) =>
              h(
                'li',
                {},
                h('code', { class: 'prop' }, name),
                required.has(name)
                  ? h('span', { class: 'req' }, 'required')
                  : h('span', { class: 'opt' }, 'optional'),
                ' ',
                schemaNode(p),
              ),
            ),
          )
        : '',
    );
  }
  if (type === 'array') {
    return h(
      'span',
      {},
      h('span', { class: 'type' }, 'array'),
      constraints(s),
      ' of ',
      schemaNode(s.items),
      note,
    );
  }
  return h('span', {}, h('span', { class: 'type' }, type ?? 'any value'), constraints(s), note);
}
