#!/usr/bin/env node
// Validates the HTTP responses recorded by the integration suite
// (tests/integration/contract_recorder.py) against openapi.yaml.
//
//   node validate-responses.mjs [--spec FILE] [--report FILE.json] FILE.jsonl...
//
// For each recorded response:
//   1. the path matches a path template of the contract (the one with the
//      most literal segments, as the recorder matches it), and the method
//      is an operation of that path;
//   2. the status is documented for the operation (exactly, or by a range
//      such as 4XX, or by `default`);
//   3. the Content-Type is one the contract documents for that status, and
//      a response documented without content has no body;
//   4. the body validates against the documented schema (Ajv, JSON Schema
//      2020-12, every format checked), as written: additionalProperties:
//      false where the schema says so;
//   5. the body has no member that the documented schema does not name
//      (see "Undocumented members" below);
//   6. every documented header with `required: true` is present, and every
//      documented header that is present matches its schema.
// The rules below marked "CONTRACT PROSE" check what the contract says
// in prose (info.description, security scheme) rather than in the
// structure of an operation; each one says where the contract says it.
//
// It prints the responses checked per operation and status, then the
// failures grouped by operation, status and mismatch with examples, and
// exits 1 on any failure (2 on a usage or input error).
//
// Undocumented members. A schema without additionalProperties (User,
// ClientSummary, Client, ...) admits any extra member, as JSON Schema
// does; composed schemas (allOf) cannot say additionalProperties: false
// at all. So that an undocumented field fails the check even there, each
// response schema is also compiled "closed": unevaluatedProperties: false
// is added to every object schema that says nothing about additional
// members and is not itself a part of an allOf (the allOf as a whole is
// closed instead, so its parts' members count). The one exception is
// Problem: the contract says "More members may be added; clients must
// ignore the ones they do not know", so problem documents (and schemas
// built on Problem with allOf) stay open. A response that passes the
// schema as written but not closed is reported as "undocumented member".
// The schemas of the contract are never loosened.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch',
    'trace'];

// ---------------------------------------------------------------- arguments

function usage(msg) {
    if (msg) console.error(`validate-responses: ${msg}`);
    console.error('usage: node validate-responses.mjs [--spec FILE] ' +
        '[--report FILE.json] FILE.jsonl...');
    process.exit(2);
}

let specPath = path.resolve(HERE, '../../openapi.yaml');
let reportPath = null;
const inputs = [];
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    if (a === '--spec') specPath = path.resolve(process.argv[++i] ?? usage());
    else if (a === '--report') reportPath = process.argv[++i] ?? usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else inputs.push(a);
}
if (inputs.length === 0) usage('no recorded responses given');

// ---------------------------------------------------------------- contract

// validate() checks the document against the OpenAPI 3.1 schema and
// dereferences it: every $ref is replaced by the object it names (shared,
// so components keep their identity).
let api;
try {
    api = await SwaggerParser.validate(specPath);
} catch (e) {
    console.error(`validate-responses: ${specPath} is not a valid ` +
        `OpenAPI document: ${e.message}`);
    process.exit(2);
}

const componentName = new Map();
for (const [name, s] of Object.entries(api.components?.schemas ?? {})) {
    componentName.set(s, name);
}
const PROBLEM = api.components.schemas.Problem;
if (!PROBLEM) {
    console.error('validate-responses: the contract has no Problem schema');
    process.exit(2);
}

const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    // The contract's nullable members (oneOf: [X, {type: 'null'}]) and
    // allOf parts that list `required` members declared in another part
    // are valid 2020-12 that these strict checks would refuse.
    strictTypes: false,
    strictRequired: false,
    strictTuples: false,
    validateFormats: true,
});
addFormats(ajv);
// OpenAPI's integer formats: whole numbers in range (JSON numbers past
// 2^53 lose precision before they get here; the range still holds).
ajv.addFormat('int32', {
    type: 'number',
    validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
});
ajv.addFormat('int64', {
    type: 'number',
    validate: (n) => Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63,
});
ajv.addFormat('float', { type: 'number', validate: () => true });
ajv.addFormat('double', { type: 'number', validate: () => true });
// OpenAPI's own schema keywords, annotations for validation.
ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);

function isOpenByContract(s) {
    // Problem: "More members may be added; clients must ignore the ones
    // they do not know." A schema made of Problem with allOf is a problem
    // document too.
    if (s === PROBLEM) return true;
    return Array.isArray(s?.allOf) && s.allOf.some(isOpenByContract);
}

function describesObject(s) {
    return s.type === 'object' || (Array.isArray(s.type) &&
        s.type.includes('object')) || s.properties !== undefined ||
        s.allOf !== undefined && s.allOf.some((m) => m && typeof m ===
            'object' && describesObject(m));
}

// The closed copy of a schema (see "Undocumented members" above).
const closedMemo = [new Map(), new Map()];
function closed(s, allOfPart = false) {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return s;
    const memo = closedMemo[allOfPart ? 1 : 0];
    if (memo.has(s)) return memo.get(s);
    const out = { ...s };
    memo.set(s, out);
    const each = (obj) => Object.fromEntries(Object.entries(obj).map(
        ([k, v]) => [k, closed(v)]));
    for (const k of ['properties', 'patternProperties', '$defs',
        'dependentSchemas']) {
        if (s[k]) out[k] = each(s[k]);
    }
    for (const k of ['items', 'additionalProperties', 'unevaluatedItems',
        'contains', 'not', 'if', 'then', 'else', 'propertyNames']) {
        if (s[k] && typeof s[k] === 'object') out[k] = closed(s[k]);
    }
    for (const k of ['oneOf', 'anyOf', 'prefixItems']) {
        if (Array.isArray(s[k])) out[k] = s[k].map((m) => closed(m));
    }
    if (Array.isArray(s.allOf)) out.allOf = s.allOf.map((m) => closed(m, true));
    if (!allOfPart && describesObject(s) && !isOpenByContract(s) &&
        !('additionalProperties' in s) && !('unevaluatedProperties' in s)) {
        out.unevaluatedProperties = false;
    }
    return out;
}

const compiled = new Map();
function validatorFor(schema, mode) {
    let byMode = compiled.get(schema);
    if (!byMode) compiled.set(schema, byMode = {});
    if (!byMode[mode]) {
        byMode[mode] = ajv.compile(mode === 'closed' ? closed(schema) : schema);
    }
    return byMode[mode];
}

// ---------------------------------------------------------------- matching

const templates = Object.keys(api.paths).map((t) => {
    const segs = t.split('/');
    const literal = segs.filter((x) => !/^\{[^}]*\}$/.test(x)).length;
    return { t, segs, literal };
});

// The same rule as contract_recorder.match_template.
function matchTemplate(p) {
    const segs = p.split('/');
    let best = null;
    for (const { t, segs: ts, literal } of templates) {
        if (ts.length !== segs.length) continue;
        const ok = ts.every((x, i) => /^\{[^}]*\}$/.test(x) ? segs[i] !== ''
            : x === segs[i]);
        if (ok && (!best || literal > best.literal)) best = { t, literal };
    }
    return best ? best.t : null;
}

function responseFor(op, status) {
    const r = op.responses ?? {};
    const s = String(status);
    if (r[s]) return { key: s, response: r[s] };
    for (const k of [`${s[0]}XX`, `${s[0]}xx`]) {
        if (r[k]) return { key: k, response: r[k] };
    }
    if (r.default) return { key: 'default', response: r.default };
    return null;
}

function mediaType(ct) {
    return ct ? ct.split(';')[0].trim().toLowerCase() : null;
}

function contentFor(response, mt) {
    const content = response.content ?? {};
    const keys = Object.keys(content);
    const exact = keys.find((k) => k.toLowerCase() === mt);
    if (exact) return { key: exact, media: content[exact] };
    const [type] = mt.split('/');
    const wild = keys.find((k) => k.toLowerCase() === `${type}/*`) ??
        keys.find((k) => k === '*/*');
    return wild ? { key: wild, media: content[wild] } : null;
}

function isJsonMedia(mt) {
    return mt === 'application/json' || /^application\/[^/]+\+json$/.test(mt);
}

// A header value as its schema types it.
function headerValue(raw, schema) {
    const t = schema?.type;
    if ((t === 'integer' || t === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) {
        return Number(raw);
    }
    if (t === 'boolean' && (raw === 'true' || raw === 'false')) {
        return raw === 'true';
    }
    return raw;
}

function ajvMessages(errors) {
    return (errors ?? []).map((e) => {
        const where = e.instancePath || '(body)';
        if (e.keyword === 'unevaluatedProperties') {
            return `${where}: undocumented member ` +
                `'${e.params.unevaluatedProperty}'`;
        }
        if (e.keyword === 'additionalProperties') {
            return `${where}: member '${e.params.additionalProperty}' not ` +
                'allowed (additionalProperties: false)';
        }
        return `${where}: ${e.message}`;
    });
}

// ---------------------------------------------------------------- CSV

// RFC 4180 records of text (CRLF line ends, quoted fields with doubled
// quotes); null, with why, when it is not that.
function parseCsv(text) {
    const records = [];
    let fields = [], field = '', i = 0;
    while (i < text.length) {
        if (text[i] === '"') {
            i++;
            for (;;) {
                if (i >= text.length) return { error: 'unterminated quote' };
                if (text[i] === '"') {
                    if (text[i + 1] !== '"') break;
                    field += '"';
                    i += 2;
                } else field += text[i++];
            }
            i++;
            if (i < text.length && text[i] !== ',' && text[i] !== '\r') {
                return { error: `text after a closing quote at ${i}` };
            }
            continue;
        }
        if (text[i] === ',') {
            fields.push(field);
            field = '';
            i++;
        } else if (text[i] === '\r') {
            if (text[i + 1] !== '\n') return { error: `bare CR at ${i}` };
            fields.push(field);
            records.push(fields);
            fields = [];
            field = '';
            i += 2;
        } else if (text[i] === '\n' || text[i] === '"') {
            return { error: `bare ${text[i] === '"' ? 'quote' : 'LF'} in ` +
                `an unquoted field at ${i}` };
        } else field += text[i++];
    }
    if (field !== '' || fields.length > 0) {
        return { error: 'the last record does not end in CRLF' };
    }
    return { records };
}

// The documented example a CSV answer's header row must match: with
// month= in the request, the `month` example's (the month's columns
// follow the others); without, the `list` example's, or a lone example.
function csvExample(rec, media) {
    if (!media.examples) return media.example;
    const withMonth = /(^|&)month=/.test(rec.query || '');
    const named = media.examples[withMonth ? 'month' : 'list'];
    return named ? named.value : undefined;
}

// CONTRACT PROSE, GET /v1/clients (the spreadsheet export): UTF-8 with a
// byte order mark, RFC 4180, a header row whose columns are the
// documented ones (the example's, by month=) in order, every record as
// wide, and no cell a spreadsheet would run as a formula but the numbers
// the server writes.
function checkCsv(rec, label, media) {
    const rule = 'text/csv (listClients description)';
    const documented = csvExample(rec, media);
    if (typeof documented !== 'string') {
        fail(label, rec.status, `${rule}: no documented example for this ` +
            'request', rec);
        return;
    }
    if (!rec.body.startsWith('\uFEFF')) {
        fail(label, rec.status, `${rule}: no byte order mark`, rec);
        return;
    }
    const parsed = parseCsv(rec.body.slice(1));
    if (!parsed.records) {
        fail(label, rec.status, `${rule}: not RFC 4180`, rec, parsed.error);
        return;
    }
    const [header, ...rows] = parsed.records;
    const example = parseCsv(documented.replace(/^\uFEFF/, '')).records;
    if (!example) {
        fail(label, rec.status, `${rule}: the documented example is not ` +
            'RFC 4180', rec);
    }
    if (example && header.join(',') !== example[0].join(',')) {
        fail(label, rec.status, `${rule}: header row is not the documented ` +
            'one', rec, `${header.join(',')} | ${example[0].join(',')}`);
    }
    for (const row of rows) {
        if (row.length !== header.length) {
            fail(label, rec.status, `${rule}: a record of ${row.length} ` +
                `fields under ${header.length} headers`, rec);
            return;
        }
        const formula = row.find((cell) => /^[=+\-@\t\r]/.test(cell) &&
            !/^-\d+(\.\d+)?$/.test(cell));
        if (formula !== undefined) {
            fail(label, rec.status, `${rule}: a formula cell`, rec, formula);
            return;
        }
    }
}

// CONTRACT PROSE, info.description (Replies): the HTML pages are
// "text/html; charset=utf-8" and carry a Content-Security-Policy,
// X-Frame-Options: DENY and Referrer-Policy: no-referrer. The contract
// documents these headers on responses that may be JSON instead, where
// they cannot be required: on an HTML answer each must be there (its
// schema is checked with the other headers), and so must the charset.
const HTML_PAGE_HEADERS = ['Content-Security-Policy', 'X-Frame-Options',
    'Referrer-Policy'];

function checkHtml(rec, label, response) {
    const rule = 'text/html (info.description)';
    if (!/;\s*charset=utf-8\s*$/i.test(rec.content_type ?? '')) {
        fail(label, rec.status, `${rule}: no charset=utf-8`, rec,
            rec.content_type);
    }
    for (const name of HTML_PAGE_HEADERS) {
        if (!response.headers?.[name]) {
            fail(label, rec.status, `${rule}: ${name} is not documented ` +
                'on this response', rec);
        } else if (header(rec, name) === null) {
            fail(label, rec.status, `${rule}: no ${name}`, rec);
        }
    }
    countRule(rule);
}

// ---------------------------------------------------------------- checks

const counts = new Map();     // operation label -> Map(status -> n)
const ruleCounts = new Map(); // rule label -> n
const failures = new Map();   // group key -> {label, status, kind, n, examples}
let checked = 0;
let failed = 0;

function count(label, status) {
    if (!counts.has(label)) counts.set(label, new Map());
    const m = counts.get(label);
    m.set(status, (m.get(status) ?? 0) + 1);
}

function countRule(rule) {
    ruleCounts.set(rule, (ruleCounts.get(rule) ?? 0) + 1);
}

function fail(label, status, kind, rec, detail) {
    const key = `${label}\u0000${status}\u0000${kind}`;
    let g = failures.get(key);
    if (!g) failures.set(key, g = { operation: label, status, kind, n: 0,
        examples: [] });
    g.n++;
    if (g.examples.length < 3) {
        g.examples.push({
            test: rec.test ?? null,
            request: `${rec.method} ${rec.path}${rec.query ? `?${rec.query}`
                : ''}`.slice(0, 200),
            detail: detail?.slice(0, 600) ?? null,
            body: (rec.body ?? '').slice(0, 300),
        });
    }
}

function header(rec, name) {
    const v = rec.headers?.[name.toLowerCase()];
    return v === undefined ? null : v;
}

function parseJsonBody(rec) {
    try {
        return { ok: true, value: JSON.parse(rec.body) };
    } catch (e) {
        return { ok: false, error: e.message };
    }
}

// Problem documents that the contract describes in prose only.
function checkProblem(rec, label, ptype, rule) {
    const mt = mediaType(rec.content_type);
    if (mt !== 'application/problem+json') {
        fail(label, rec.status, `${rule}: Content-Type is ` +
            `${rec.content_type ?? '(none)'}, not application/problem+json`,
            rec);
        return false;
    }
    const body = parseJsonBody(rec);
    if (!body.ok) {
        fail(label, rec.status, `${rule}: body is not JSON`, rec, body.error);
        return false;
    }
    const v = validatorFor(PROBLEM, 'as-written');
    if (!v(body.value)) {
        fail(label, rec.status, `${rule}: body is not a Problem`, rec,
            ajvMessages(v.errors).join('; '));
        return false;
    }
    if (body.value.status !== rec.status) {
        fail(label, rec.status, `${rule}: problem status is ` +
            `${body.value.status}`, rec);
        return false;
    }
    if (ptype && body.value.type !== ptype) {
        fail(label, rec.status, `${rule}: problem type is ` +
            `${body.value.type}, not ${ptype}`, rec);
        return false;
    }
    return true;
}

// CONTRACT PROSE, info.description, "Replies": "Every reply carries the
// id in X-Request-Id." The operations' responses declare it required;
// this covers the replies that match no operation (unknown paths and
// methods, CORS preflights).
function checkRequestId(rec, label) {
    if (!header(rec, 'X-Request-Id')) {
        fail(label, rec.status, 'no X-Request-Id (info.description: every ' +
            'reply carries it)', rec);
    }
}

function checkResponse(rec) {
    const method = String(rec.method).toLowerCase();
    const template = matchTemplate(rec.path);
    if (rec.template !== undefined && rec.template !== template) {
        // The recorder and this script disagree on the matching rule.
        fail(`${rec.method} ${rec.path}`, rec.status, `recorder matched ` +
            `${rec.template}, validator ${template}`, rec);
        return;
    }

    if (template === null) {
        // CONTRACT PROSE, info.description, "Replies": "A path that does
        // not exist is answered 404 (/problems/not-found)." The tests ask
        // for such paths on purpose; any other answer to a path the
        // contract does not have is a failure.
        const label = `(path not in contract) ${rec.method}`;
        count(label, rec.status);
        checkRequestId(rec, label);
        if (rec.status !== 404) {
            fail(label, rec.status, `path ${rec.path} is not in the ` +
                'contract and was not answered 404', rec);
            return;
        }
        countRule('unknown path -> 404 problem (info.description)');
        checkProblem(rec, label, '/problems/not-found',
            'unknown path (info.description)');
        return;
    }

    const item = api.paths[template];
    const documented = METHODS.filter((m) => item[m]);

    if (method === 'options' && !item.options) {
        // CONTRACT PROSE, info.description, "CORS": a preflight (OPTIONS
        // on an existing path) from an allowed origin is answered 204 with
        // Access-Control-Allow-Methods, Access-Control-Allow-Headers and
        // Access-Control-Max-Age: 600; from any other origin, or without
        // Origin, 403 (/problems/forbidden).
        const label = `OPTIONS ${template} (CORS preflight, info.description)`;
        count(label, rec.status);
        checkRequestId(rec, label);
        countRule('CORS preflight (info.description)');
        if (rec.status === 204) {
            for (const h of ['Access-Control-Allow-Methods',
                'Access-Control-Allow-Headers', 'Access-Control-Max-Age']) {
                if (!header(rec, h)) fail(label, 204, `no ${h}`, rec);
            }
            const age = header(rec, 'Access-Control-Max-Age');
            if (age !== null && age !== '600') {
                fail(label, 204, `Access-Control-Max-Age is ${age}, not 600`,
                    rec);
            }
            if (rec.body) fail(label, 204, 'a 204 with a body', rec);
        } else if (rec.status === 403) {
            checkProblem(rec, label, '/problems/forbidden',
                'CORS preflight refused');
        } else {
            fail(label, rec.status, 'preflight answered neither 204 nor 403',
                rec);
        }
        return;
    }

    // CONTRACT PROSE, info.description, "Requests": "HEAD is answered as
    // GET without the body on every GET route." A HEAD of a path that
    // declares none is checked as the GET of its path. Either way its
    // body is empty: a HEAD response's content, where one is documented
    // (the shared error responses), gives the Content-Type only.
    let op = item[method];
    let label = op ? (op.operationId ?? `${rec.method} ${template}`) : null;
    const isHead = method === 'head';
    if (isHead && !item.head && item.get) {
        op = item.get;
        label = `HEAD ${template} (as ${op.operationId ?? 'GET'}, ` +
            'info.description)';
        countRule('HEAD as GET without body (info.description)');
    }

    if (!op) {
        // CONTRACT PROSE, info.description, "Replies": "A method that a
        // path does not have is answered 405 (/problems/method-not-allowed)
        // with an Allow header listing the methods it has." The tests send
        // such methods on purpose; the contract cannot document them per
        // path, so they are checked against that sentence.
        label = `${rec.method} ${template} (method not in contract)`;
        count(label, rec.status);
        checkRequestId(rec, label);
        if (rec.status !== 405) {
            fail(label, rec.status, `${rec.method} is not an operation of ` +
                `${template} and was not answered 405`, rec);
            return;
        }
        countRule('undocumented method -> 405 problem (info.description)');
        checkProblem(rec, label, '/problems/method-not-allowed',
            'method not allowed (info.description)');
        const allow = header(rec, 'Allow');
        if (!allow) {
            fail(label, 405, 'no Allow header (info.description)', rec);
        } else {
            const listed = new Set(allow.split(',').map((x) =>
                x.trim().toLowerCase()).filter(Boolean));
            const want = new Set(documented);
            // HEAD (answered on every GET route) and OPTIONS (CORS) are
            // allowed in Allow beside the documented methods.
            const extra = [...listed].filter((m) => !want.has(m) &&
                !(m === 'head' && want.has('get')) && m !== 'options');
            const missing = [...want].filter((m) => !listed.has(m));
            if (extra.length || missing.length) {
                fail(label, 405, `Allow: ${allow} does not list the ` +
                    `documented methods (${documented.join(', ')
                        .toUpperCase()})`, rec);
            }
        }
        return;
    }

    count(label, rec.status);
    checkRequestId(rec, label);

    // Status.
    const found = responseFor(op, rec.status);
    if (!found) {
        fail(label, rec.status, `status ${rec.status} is not documented ` +
            `(documented: ${Object.keys(op.responses ?? {}).join(', ')})`,
            rec);
        return;
    }
    const { response } = found;

    // Headers: required ones present, present ones valid. Content-Type is
    // not a header of the contract (OpenAPI: "SHALL be ignored").
    for (const [name, h] of Object.entries(response.headers ?? {})) {
        if (name.toLowerCase() === 'content-type') continue;
        const raw = header(rec, name);
        if (raw === null) {
            if (h.required) fail(label, rec.status, `required header ` +
                `${name} missing`, rec);
            continue;
        }
        if (h.schema) {
            const v = validatorFor(h.schema, 'as-written');
            if (!v(headerValue(raw, h.schema))) {
                fail(label, rec.status, `header ${name} does not match its ` +
                    'schema', rec, `${name}: ${raw}: ` +
                    ajvMessages(v.errors).join('; '));
            }
        }
    }

    // Content type and body.
    const hasBody = rec.body !== undefined && rec.body !== null &&
        rec.body !== '';
    const content = response.content;
    if (!content || Object.keys(content).length === 0) {
        if (hasBody) fail(label, rec.status, 'body where the contract ' +
            'documents none', rec);
        return;
    }
    const mt = mediaType(rec.content_type);
    if (!mt) {
        fail(label, rec.status, 'no Content-Type (documented: ' +
            `${Object.keys(content).join(', ')})`, rec);
        return;
    }
    const media = contentFor(response, mt);
    if (!media) {
        fail(label, rec.status, `Content-Type ${mt} is not documented ` +
            `(documented: ${Object.keys(content).join(', ')})`, rec);
        return;
    }
    if (isHead) {
        if (hasBody) fail(label, rec.status, 'HEAD answered with a body',
            rec);
        return;
    }
    if (!hasBody) {
        fail(label, rec.status, `empty body where ${media.key} is ` +
            'documented', rec);
        return;
    }
    if (rec.body_encoding === 'base64') {
        fail(label, rec.status, 'body is not UTF-8', rec);
        return;
    }
    if (mt === 'text/csv') checkCsv(rec, label, media.media);
    if (mt === 'text/html') checkHtml(rec, label, response);
    const schema = media.media.schema;
    if (!schema) return;
    let value = rec.body;
    if (isJsonMedia(mt)) {
        const parsed = parseJsonBody(rec);
        if (!parsed.ok) {
            fail(label, rec.status, `${mt} body is not JSON`, rec,
                parsed.error);
            return;
        }
        value = parsed.value;
    }
    // CONTRACT PROSE, components.schemas.Problem.properties.status: "The
    // HTTP status code of the reply."
    if (mt === 'application/problem+json' && value && typeof value ===
        'object' && typeof value.status === 'number' &&
        value.status !== rec.status) {
        fail(label, rec.status, `problem status ${value.status} is not the ` +
            'HTTP status', rec);
    }
    const asWritten = validatorFor(schema, 'as-written');
    if (!asWritten(value)) {
        const msgs = ajvMessages(asWritten.errors);
        fail(label, rec.status, `body does not match the schema: ` +
            [...new Set(msgs.map((m) => m.replace(/\/\d+(?=\/|:)/g,
                '/*')))].join('; '), rec, msgs.join('; '));
        return;
    }
    const strict = validatorFor(schema, 'closed');
    if (!strict(value)) {
        const msgs = ajvMessages(strict.errors);
        fail(label, rec.status, 'undocumented member: ' +
            [...new Set(msgs.map((m) => m.replace(/\/\d+(?=\/|:)/g,
                '/*')))].join('; '), rec, msgs.join('; '));
    }
}

// ---------------------------------------------------------------- input

const sessions = [];
const failedTests = new Set();
for (const file of inputs) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch (e) {
        console.error(`validate-responses: cannot read ${file}: ${e.message}`);
        process.exit(2);
    }
    let lineNo = 0;
    for (const line of text.split('\n')) {
        lineNo++;
        if (line === '') continue;
        let rec;
        try {
            rec = JSON.parse(line);
        } catch (e) {
            failed++;
            fail('(recording)', 0, 'a line of the recording is not JSON',
                { method: '-', path: `${file}:${lineNo}`, body: line },
                e.message);
            continue;
        }
        if (rec.kind === 'session') {
            sessions.push({ file, ...rec });
        } else if (rec.kind === 'recorder-error') {
            fail('(recording)', 0, 'the recorder failed', { method: '-',
                path: file, test: rec.test, body: '' }, rec.error);
        } else if (rec.kind === 'response') {
            checked++;
            const before = [...failures.values()].reduce((a, g) => a + g.n, 0);
            try {
                checkResponse(rec);
            } catch (e) {
                fail(`${rec.method} ${rec.path}`, rec.status,
                    'validator error', rec, e.stack);
            }
            const after = [...failures.values()].reduce((a, g) => a + g.n, 0);
            if (after > before) {
                failed++;
                if (rec.test) failedTests.add(rec.test);
            }
        }
    }
}

// ---------------------------------------------------------------- report

const pad = (s, n) => String(s).padEnd(n);
console.log(`contract: ${path.relative(process.cwd(), specPath) || specPath}` +
    ` (OpenAPI ${api.openapi}, ${api.info.title} ${api.info.version})`);
for (const s of sessions) {
    console.log(`recording: ${s.file} (session ${s.started}, ` +
        `bin ${s.bin_dir})`);
}
for (const file of inputs) {
    const n = sessions.filter((s) => s.file === file).length;
    if (n !== 1) {
        console.log(`note: ${n} test sessions wrote ${file} ` +
            '(concurrent runs in one tree); every response in it is checked');
    }
}
console.log('\nresponses checked, by operation and status:');
const labels = [...counts.keys()].sort();
const width = Math.max(20, ...labels.map((l) => l.length)) + 2;
for (const l of labels) {
    const m = counts.get(l);
    const n = [...m.values()].reduce((a, b) => a + b, 0);
    const by = [...m.entries()].sort((a, b) => a[0] - b[0])
        .map(([s, k]) => `${s}×${k}`).join(' ');
    console.log(`  ${pad(l, width)}${pad(n, 7)}${by}`);
}
if (ruleCounts.size) {
    console.log('\nchecked by the prose rules of the contract:');
    for (const [r, n] of [...ruleCounts.entries()].sort()) {
        console.log(`  ${pad(r, Math.max(width, r.length + 2))}${n}`);
    }
}
const seenOps = new Set(labels);
const unexercised = [];
for (const [t, item] of Object.entries(api.paths)) {
    for (const m of METHODS) {
        if (item[m] && !seenOps.has(item[m].operationId ??
            `${m.toUpperCase()} ${t}`)) {
            unexercised.push(`${m.toUpperCase()} ${t}`);
        }
    }
}
if (unexercised.length) {
    console.log(`\noperations with no recorded response: ` +
        unexercised.join(', '));
}

const groups = [...failures.values()].sort((a, b) =>
    a.operation.localeCompare(b.operation) || a.status - b.status ||
    a.kind.localeCompare(b.kind));
if (groups.length) {
    console.log(`\nFAILURES (${groups.length} kinds):`);
    for (const g of groups) {
        console.log(`\n  ${g.operation} -> ${g.status}: ${g.kind} ` +
            `(${g.n} response${g.n === 1 ? '' : 's'})`);
        for (const ex of g.examples) {
            console.log(`      ${ex.request}${ex.test ? `  [${ex.test}]` : ''}`);
            if (ex.detail) console.log(`        ${ex.detail}`);
            if (ex.body) console.log(`        body: ${ex.body}`);
        }
    }
}

if (reportPath) {
    fs.mkdirSync(path.dirname(path.resolve(reportPath)), { recursive: true });
    fs.writeFileSync(reportPath, JSON.stringify({
        spec: specPath,
        sessions,
        checked,
        failed,
        operations: Object.fromEntries(labels.map((l) =>
            [l, Object.fromEntries(counts.get(l))])),
        rules: Object.fromEntries(ruleCounts),
        unexercised,
        failures: groups,
        failed_tests: [...failedTests].sort(),
    }, null, 2) + '\n');
}

console.log(`\nvalidate-responses: ${checked} responses checked, ${failed} ` +
    `failed, ${groups.length} kinds of mismatch`);
process.exit(checked === 0 || groups.length ? 1 : 0);
