// The tests' reader of docs/openapi.yaml (run by t/98 and t/99 with node):
//
//   node t/lib/openapi.mjs operations SPEC
//       prints "METHOD /api/v1/path/{id}" for every operation of SPEC
//   node t/lib/openapi.mjs check SPEC < records.jsonl
//       reads exchanges recorded by t/lib/QuillTest.pm (one JSON object a
//       line: test, method, path, status, headers, body in base64) and
//       prints, for each, one JSON line {test, request, key, errors,
//       ignored}: key names the operation and status it was checked as
//       ("GET /posts/{id} 200"), errors what the spec says it got wrong.
//       A last line {documented: [...]} lists every key the spec allows.
//
// Responses are validated with Ajv against the spec's JSON Schemas
// (OpenAPI 3.1 uses JSON Schema 2020-12): the status must be documented
// for the operation, the documented required headers present, every
// documented header that is present valid, the headers of
// x-quill-every-response (by media type) present and valid, and the body
// valid for its content type.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SPEC_ID = 'openapi.json';

function usage() {
  process.stderr.write('usage: openapi.mjs operations|check SPEC\n');
  process.exit(2);
}

// The spec, the base path of its first server ("/api/v1"), and a resolver.
function load(file) {
  const spec = YAML.parse(readFileSync(file, 'utf8'));
  const base = ((spec.servers ?? [])[0]?.url ?? '').replace(/\/$/, '');
  return { spec, base };
}

function pointerGet(doc, ptr) {
  let node = doc;
  for (const raw of ptr.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node))
      throw new Error(`no ${ptr} in the spec`);
    node = node[key];
  }
  return node;
}

function pointerJoin(ptr, ...keys) {
  return ptr + keys.map((k) => '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

// Follows $ref from the object at ptr: { node, ptr } of what it names.
function resolve(spec, ptr) {
  let node = pointerGet(spec, ptr);
  for (let hops = 0; node && typeof node.$ref === 'string'; hops++) {
    if (!node.$ref.startsWith('#/') || hops > 32)
      throw new Error(`unsupported $ref ${node.$ref} at ${ptr}`);
    ptr = node.$ref.slice(1);
    node = pointerGet(spec, ptr);
  }
  return { node, ptr };
}

function operations(spec) {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths ?? {}))
    for (const m of METHODS)
      if (item[m]) out.push({ method: m, path });
  return out;
}

// ---- matching a request to the spec ------------------------------------

// The path the programs route on (lib/web/http.c http_normalise_path): before
// '?', percent-decoded, one trailing '/' removed; null when malformed.
function normalisePath(target) {
  const raw = target.split(/[?#]/)[0];
  if (!raw.startsWith('/')) return null;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    let c = raw[i];
    if (c === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      c = String.fromCharCode(parseInt(hex, 16));
      if (c === '/') return null;
      i += 2;
    }
    const code = c.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || c === '\\') return null;
    out += c;
  }
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

// A path segment as the value of a path parameter of schema s.
function segmentValue(seg, s) {
  if (s.type === 'integer' || s.type === 'number')
    return /^(0|-?[1-9][0-9]*)$/.test(seg) ? Number(seg) : undefined;
  return seg;
}

// ---- the body as the server meant it ----------------------------------

// The data of a whole chunked body (RFC 9112 7.1), or null when buf is not
// one: raw_request() hands over what came on the wire, HTTP::Tiny the data.
function dechunk(buf) {
  const parts = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return null;
    const m = /^([0-9A-Fa-f]+)(;[^\r\n]*)?$/.exec(buf.subarray(i, eol).toString('latin1'));
    if (!m) return null;
    const n = parseInt(m[1], 16);
    i = eol + 2;
    if (n === 0) return buf.subarray(i).toString('latin1') === '\r\n' ? Buffer.concat(parts) : null;
    if (i + n + 2 > buf.length || buf.subarray(i + n, i + n + 2).toString('latin1') !== '\r\n')
      return null;
    parts.push(buf.subarray(i, i + n));
    i += n + 2;
  }
}

// Undoes the transfer and content codings the headers name; null (with an
// error) when a coding cannot be undone.
function decodeBody(buf, headers, errors) {
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? ''))
    buf = dechunk(buf) ?? buf;
  const coding = (headers['content-encoding'] ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return buf;
  if (coding !== 'gzip') {
    errors.push(`content coding "${coding}" is not one a client asked for`);
    return null;
  }
  try {
    return gunzipSync(buf);
  } catch (e) {
    errors.push(`the gzip body does not decompress: ${e.message}`);
    return null;
  }
}

class Spec {
  constructor(file) {
    const { spec, base } = load(file);
    this.spec = spec;
    this.base = base;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(spec, SPEC_ID);
    this.validators = new Map();
  }

  // Validates data against the schema at ptr; returns error strings.
  validate(ptr, data, where) {
    let v = this.validators.get(ptr);
    if (!v) {
      const frag = ptr.split('/').map(encodeURIComponent).join('/');
      v = this.ajv.compile({ $ref: `${SPEC_ID}#${frag}` });
      this.validators.set(ptr, v);
    }
    if (v(data)) return [];
    return v.errors.map((e) => `${where}${e.instancePath} ${e.message}` +
      (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''));
  }

  // The path parameters of an operation, by name: { ptr of schema }.
  pathParams(pathPtr, method) {
    const params = {};
    const lists = [pointerJoin(pathPtr, 'parameters')];
    if (method) lists.push(pointerJoin(pathPtr, method, 'parameters'));
    for (const lp of lists) {
      let list;
      try { list = pointerGet(this.spec, lp); } catch { continue; }
      list.forEach((_, i) => {
        const { node, ptr } = resolve(this.spec, pointerJoin(lp, i));
        if (node.in === 'path') params[node.name] = pointerJoin(ptr, 'schema');
      });
    }
    return params;
  }

  // The spec path that the normalised request path p names, or null.
  // Paths without templates win over templated ones, as OpenAPI says.
  matchPath(p) {
    if (!p.startsWith(this.base + '/')) return null;
    const segs = p.slice(this.base.length).split('/');
    const candidates = Object.keys(this.spec.paths ?? {})
      .sort((a, b) => (a.includes('{') ? 1 : 0) - (b.includes('{') ? 1 : 0));
    for (const tpl of candidates) {
      const tsegs = tpl.split('/');
      if (tsegs.length !== segs.length) continue;
      const pathPtr = pointerJoin('#/paths', tpl).slice(1);
      const params = this.pathParams(pathPtr);
      let ok = true;
      for (let i = 0; ok && i < tsegs.length; i++) {
        const m = /^\{(.+)\}$/.exec(tsegs[i]);
        if (!m) { ok = tsegs[i] === segs[i]; continue; }
        const sptr = params[m[1]];
        if (!sptr) throw new Error(`${tpl}: {${m[1]}} is not a path parameter`);
        const schema = resolve(this.spec, sptr).node;
        const value = segmentValue(segs[i], schema);
        ok = value !== undefined && this.validate(sptr, value, '').length === 0;
      }
      if (ok) return tpl;
    }
    return null;
  }

  // ---- checking one recorded exchange ----------------------------------

  check(rec) {
    const result = { test: rec.test, request: `${rec.method} ${rec.path}`, errors: [] };
    if (!rec.status) {
      result.ignored = 'no HTTP answer';
      return result;
    }
    const target = rec.path ?? '';
    if (!target.startsWith(this.base + '/') && target !== this.base) {
      result.ignored = 'outside the API';
      return result;
    }
    const headers = {};
    for (const [k, v] of Object.entries(rec.headers ?? {}))
      headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    if (!headers['x-request-id'] && rec.status >= 400 &&
        !/^application\/json/.test(headers['content-type'] ?? '')) {
      // What the web server refuses itself (a method it does not know, a
      // request over its own size limit) never reaches a program.
      result.ignored = 'answered by the web server';
      return result;
    }
    // Methods are case-sensitive: "get" is no GET, and falls to otherMethod.
    let method = /^[A-Z]+$/.test(rec.method) ? rec.method.toLowerCase() : '';
    // A browser's form POSTed with ?_method=PUT, PATCH or DELETE is served
    // as that method (see "Browser forms" in the spec).
    const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
    // rec.form, when the recorder knew the body: false means not a form.
    const override = method === 'post' && rec.form !== false ?
      (new URLSearchParams(query).get('_method') ?? '').toLowerCase() : '';
    // Only forms are: a 405 says the server took a POST of something else
    // (a JSON body) as the POST it was.
    if (['put', 'patch', 'delete'].includes(override) && rec.status !== 405)
      method = override;
    const isHead = method === 'head';
    const p = normalisePath(target);
    const tpl = p === null ? null : this.matchPath(p);
    let responses, respPtr, key;
    if (tpl === null) {
      respPtr = '/x-quill-fallback/unknownPath';
      key = '(unknown path)';
    } else {
      const pathPtr = pointerJoin('', 'paths', tpl);
      const item = pointerGet(this.spec, pathPtr);
      const opMethod = isHead && !item.head ? 'get' : method;
      if (METHODS.includes(opMethod) && item[opMethod]) {
        respPtr = pointerJoin(pathPtr, opMethod, 'responses');
        key = `${opMethod.toUpperCase()} ${tpl}`;
      } else {
        respPtr = '/x-quill-fallback/otherMethod';
        key = `${tpl} (other method)`;
      }
    }
    responses = pointerGet(this.spec, respPtr);
    result.key = `${key} ${rec.status}`;
    this.checkEveryResponse(headers, result.errors);
    const status = String(rec.status);
    const code = [status, `${status[0]}XX`, 'default'].find((c) => c in responses);
    if (!code) {
      result.errors.push(`status ${status} is not documented for ${key}`);
      return result;
    }
    const { node: resp, ptr: rptr } = resolve(this.spec, pointerJoin(respPtr, code));
    this.checkHeaders(resp, rptr, headers, result.errors);
    this.checkBody(resp, rptr, headers, rec, isHead, result.errors);
    return result;
  }

  // The headers of x-quill-every-response: those of '*', and those of the
  // answer's media type ('none' when it has no Content-Type).
  checkEveryResponse(headers, errors) {
    const every = this.spec['x-quill-every-response'];
    if (!every) return;
    const media = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() || 'none';
    for (const group of ['*', media]) {
      if (!every[group]) continue;
      this.checkHeaders(every[group], pointerJoin('', 'x-quill-every-response', group),
        headers, errors, `every ${group} answer: `);
    }
  }

  checkHeaders(resp, rptr, headers, errors, prefix = '') {
    for (const name of Object.keys(resp.headers ?? {})) {
      const { node: h, ptr } = resolve(this.spec, pointerJoin(rptr, 'headers', name));
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        // x-quill-required-with: required when the answer is of that media
        // type only (the ETag of a post's JSON, which its page does not carry).
        const media = (headers['content-type'] ?? '').split(';')[0].trim();
        if (h.required || h['x-quill-required-with'] === media)
          errors.push(`${prefix}header ${name} is required`);
        continue;
      }
      if (!h.schema) continue;
      const s = resolve(this.spec, pointerJoin(ptr, 'schema'));
      const typed = (s.node.type === 'integer' || s.node.type === 'number') &&
        /^-?[0-9]+$/.test(value) ? Number(value) : value;
      errors.push(...this.validate(s.ptr, typed, `${prefix}header ${name}: value ${JSON.stringify(value)}`));
    }
  }

  checkBody(resp, rptr, headers, rec, isHead, errors) {
    const body = decodeBody(Buffer.from(rec.body ?? '', 'base64'), headers, errors);
    if (body === null) return;
    const status = rec.status;
    if (isHead || status === 204 || status === 304) {
      if (body.length > 0) errors.push(`a ${isHead ? 'HEAD answer' : status} must have no body`);
      return;
    }
    const content = resp.content ?? {};
    if (Object.keys(content).length === 0) {
      if (body.length > 0) errors.push('the spec documents no body, but there is one');
      return;
    }
    const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!(type in content)) {
      errors.push(`content type "${type}" is not documented (${Object.keys(content).join(', ')})`);
      return;
    }
    const media = content[type];
    if (!media.schema) return;
    const sptr = pointerJoin(rptr, 'content', type, 'schema');
    const text = body.toString('utf8');
    if (type === 'application/json' || type.endsWith('+json')) {
      let data;
      try {
        data = JSON.parse(text);
      } catch (e) {
        errors.push(`the body is not JSON: ${e.message}`);
        return;
      }
      errors.push(...this.validate(resolve(this.spec, sptr).ptr, data, 'body'));
    } else {
      errors.push(...this.validate(resolve(this.spec, sptr).ptr, text, 'body'));
    }
  }

  // Every "KEY STATUS" the spec allows, for the coverage report.
  documented() {
    const keys = [];
    for (const { method, path } of operations(this.spec))
      for (const s of Object.keys(this.spec.paths[path][method].responses ?? {}))
        keys.push(`${method.toUpperCase()} ${path} ${s}`);
    return keys;
  }
}

async function check(file) {
  const spec = new Spec(file);
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    let result;
    try {
      result = spec.check(JSON.parse(line));
    } catch (e) {
      result = { request: line.slice(0, 200), errors: [`cannot check: ${e.message}`] };
    }
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  process.stdout.write(JSON.stringify({ documented: spec.documented() }) + '\n');
}

const [cmd, file] = process.argv.slice(2);
if (!file) usage();
if (cmd === 'operations') {
  const { spec, base } = load(file);
  for (const { method, path } of operations(spec))
    process.stdout.write(`${method.toUpperCase()} ${base}${path}\n`);
} else if (cmd === 'check') {
  await check(file);
} else {
  usage();
}
