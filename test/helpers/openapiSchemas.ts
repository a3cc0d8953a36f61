import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** An OpenAPI document, as far as these checks read it. */
export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
}

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> };
  responses: Record<string, Response | { $ref: string }>;
  security?: Record<string, string[]>[];
}

interface Response {
  description: string;
  content?: Record<string, { schema?: unknown }>;
}

/** A JSON pointer's segment: `/` and `~` escaped. */
const segment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** What `#/a/b` points at in `doc`, or undefined. */
export function pointAt(doc: unknown, ref: string): unknown {
  let at: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at;
}

/** Every `$ref` in the document, with where it sits. */
export function refsOf(doc: unknown): { at: string; ref: string }[] {
  const out: { at: string; ref: string }[] = [];
  const walk = (x: unknown, at: string) => {
    if (Array.isArray(x)) {
      for (const [i, v] of x.entries()) walk(v, `${at}/${i}`);
    } else if (x !== null && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
        else walk(v, `${at}/${segment(k)}`);
      }
    }
  };
  walk(doc, '#');
  return out;
}

/** `/api/markets/:id` → `/api/markets/{id}`. */
export const docPath = (expressPath: string) => expressPath.replace(/:([A-Za-z]+)/g, '{$1}');

/**
 * Checks answers against the document with a JSON Schema 2020-12 validator (OpenAPI 3.1's
 * dialect): the document is added whole, so its `#/components/...` references resolve as they
 * do for any client.
 */
export function answerChecker(doc: OpenApiDoc, opts: { closed?: boolean } = {}) {
  // Not strict: the document holds OpenAPI's own keywords around the schemas.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema((opts.closed ? closedCopy(doc) : doc) as object, 'doc');
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

  /** The documented response of an operation for a status, with the pointer to it. */
  function responseOf(method: string, expressPath: string, status: number) {
    const p = docPath(expressPath);
    const op = doc.paths[p]?.[method.toLowerCase()];
    if (!op) throw new Error(`the document has no ${method} ${p}`);
    let pointer = `#/paths/${segment(p)}/${method.toLowerCase()}/responses/${status}`;
    let r = op.responses[String(status)];
    if (r && '$ref' in r) {
      pointer = r.$ref;
      r = pointAt(doc, r.$ref) as Response;
    }
    return { response: r as Response | undefined, pointer };
  }

  return {
    /**
     * Problems of an answer against the document: none when its status is documented for the
     * operation and its body matches the schema given for it (or it has none, where none is
     * documented).
     */
    check(
      method: string,
      expressPath: string,
      answer: { status: number; body: unknown; contentType?: string | null },
    ): string[] {
      const { response, pointer } = responseOf(method, expressPath, answer.status);
      if (!response) return [`status ${answer.status} is not documented`];
      const media = Object.keys(response.content ?? {});
      if (media.length === 0) {
        return answer.body === undefined || answer.body === '' ? [] : ['a body where none is'];
      }
      const type = media.find((m) => answer.contentType?.startsWith(m)) ?? media[0]!;
      const schemaPointer = `${pointer}/content/${segment(type)}/schema`;
      if (answer.body === undefined || answer.body === '') {
        // zod's `undefined` renders as `{not: {}}`: a union holding it allows an empty body.
        const schema = pointAt(doc, schemaPointer) as { anyOf?: unknown[] } | undefined;
        const empty = schema?.anyOf?.some((s) => JSON.stringify(s) === '{"not":{}}');
        return empty ? [] : ['no body where one is documented'];
      }
      if (answer.contentType && !answer.contentType.startsWith(type)) {
        return [`content type ${answer.contentType}, documented ${media.join(', ')}`];
      }
      const ref = `doc${schemaPointer}`;
      let validate = compiled.get(ref);
      if (!validate) {
        validate = ajv.compile({ $ref: ref });
        compiled.set(ref, validate);
      }
      if (validate(answer.body)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    },
  };
}

/**
 * The document with every open object closed (`additionalProperties: false` where it says
 * nothing): answers checked against it show the fields the server sends and the document
 * does not name.
 */
function closedCopy(doc: OpenApiDoc): OpenApiDoc {
  const copy = structuredClone(doc);
  const walk = (x: unknown, inAllOf: boolean) => {
    if (Array.isArray(x)) for (const v of x) walk(v, inAllOf);
    else if (x !== null && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.type === 'object' && o.properties && !('additionalProperties' in o) && !inAllOf) {
        o.additionalProperties = false;
      }
      for (const [k, v] of Object.entries(o)) walk(v, k === 'allOf');
    }
  };
  walk(copy.components?.schemas, false);
  walk(copy.paths, false);
  return copy;
}
