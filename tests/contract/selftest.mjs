#!/usr/bin/env node
// Checks that validate-responses.mjs catches what it is meant to catch:
// it is run on made-up responses, some that fit openapi.yaml and some
// that break it in one way each, and each must get the verdict written
// here. Run by ./validate before it checks the recorded responses, so a
// validator that passes everything cannot go unnoticed.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// The headers every reply carries.
const RID = { 'x-request-id': '5f0e9c2b8d41a7e3c6b19d02', vary: 'Origin' };
const JSON_CT = 'application/json';
const PROBLEM_CT = 'application/problem+json';
const CSV_CT = 'text/csv; charset=utf-8';
const CSV_HEADER = 'id,name,org_number,status,balance,currency,' +
    'missing_receipts,export_ready,assignees,alerts';
// The columns month= adds after the others.
const CSV_MONTH = 'month,month_missing_receipts,month_exported,' +
    'month_exported_amount,month_ready,month_ready_amount,month_pending,' +
    'month_pending_amount,month_other_amounts';
const ME = {
    id: 1, email: 'anna.admin@demo.test', name: 'Anna Admin', role: 'admin',
    active: true, locale: null, created_at: '2026-03-02T09:15:00Z',
    updated_at: '2026-03-02T09:15:00Z',
    partner: { id: 1, name: 'Ek & Ask AB', locale: 'sv',
        timezone: 'Europe/Stockholm' },
};
const ROW = {
    id: 6, name: 'Aronsson AB', org_number: '556791-0000', status: 'active',
    balance: { amount_minor: 0, currency: 'SEK' }, missing_receipts: 0,
    export_ready: 2, assignees: [{ id: 2, name: 'Bo Berg', role: 'bookkeeper' }],
    alerts: [], invited_at: '2026-03-02T09:15:00Z', onboarding_since: null,
    balance_display: '0,00 kr', notification: null,
    actions: ['go_to_client', 'notify_accountants', 'assign', 'see_details'],
};
const USER = {
    id: 3, email: 'eva@demo.test', name: 'Eva Ekström', role: 'bookkeeper',
    active: true, locale: null, created_at: '2026-03-09T08:30:00Z',
    updated_at: '2026-03-09T08:30:00Z',
};
const UNAVAILABLE = { type: '/problems/service-unavailable',
    title: 'Service unavailable', status: 503, detail: 'x' };
const HTML_CT = 'text/html; charset=utf-8';
const PAGE_HEADERS = { ...RID, 'content-security-policy': "default-src " +
    "'none'; style-src 'sha256-AAAA'; form-action 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'", 'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer', vary: 'Origin, Accept' };
const page = (inner) => '<!DOCTYPE html>\n<html lang="sv">\n<head>\n' +
    `<meta charset="utf-8">\n<title>x</title>\n</head>\n<body>\n${inner}` +
    '</body>\n</html>\n';
const FORM = '<form method="post" action="?token=a.b.c">\n<input ' +
    'type="hidden" name="List-Unsubscribe" value="One-Click">\n' +
    '<button type="submit">x</button>\n</form>\n';
const UNSUB = '/v1/unsubscribe?token=a.b.c';
const notFound = (extra = {}) => ({ type: '/problems/not-found',
    title: 'Not found', status: 404, detail: 'No such resource.', ...extra });

function rec(name, method, p, status, { ct = JSON_CT, headers = RID,
    body = '' } = {}) {
    const [pathPart, query = ''] = p.split('?');
    return {
        kind: 'response', test: name, method, path: pathPart, query, status,
        content_type: ct, url: `http://127.0.0.1/${p}`,
        headers: { ...(ct ? { 'content-type': ct } : {}), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        body_encoding: 'utf-8',
    };
}

// [verdict, record]
const cases = [
    // --- what fits
    ['pass', rec('ok-liveness', 'GET', '/healthz', 200, { body: { status: 'ok' } })],
    ['pass', rec('ok-me', 'GET', '/v1/me', 200, { body: ME })],
    ['pass', rec('ok-list', 'GET', '/v1/clients?tab=all', 200,
        { body: { data: [ROW], total: 1, total_at_least: false,
            next_cursor: null } })],
    ['pass', rec('ok-problem-extra-member', 'GET', '/v1/clients/7', 404,
        { ct: PROBLEM_CT, body: notFound({ instance: '/v1/clients/7' }) })],
    ['pass', rec('ok-unknown-path-404', 'GET', '/v1/nope', 404,
        { ct: PROBLEM_CT, body: notFound() })],
    ['pass', rec('ok-405', 'DELETE', '/healthz', 405, { ct: PROBLEM_CT,
        headers: { ...RID, allow: 'GET, HEAD' }, body: {
            type: '/problems/method-not-allowed', title: 'Method not allowed',
            status: 405, detail: 'x' } })],
    ['pass', rec('ok-head', 'HEAD', '/healthz', 200, {})],
    ['pass', rec('ok-head-problem', 'HEAD', '/v1/clients/7', 404,
        { ct: PROBLEM_CT })],
    ['pass', rec('ok-201-location', 'POST', '/v1/users', 201, {
        headers: { ...RID, location: '/v1/users/3' }, body: USER })],
    ['pass', rec('ok-503-retry-after', 'GET', '/v1/me', 503, {
        ct: PROBLEM_CT, headers: { ...RID, 'retry-after': '1' },
        body: UNAVAILABLE })],
    ['pass', rec('ok-cors', 'GET', '/healthz', 200, { headers: { ...RID,
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-expose-headers': 'Location, Retry-After, ' +
            'X-Request-Id, Idempotent-Replayed, Content-Disposition' },
    body: { status: 'ok' } })],
    ['pass', rec('ok-csv', 'GET', '/v1/clients?format=csv', 200, {
        ct: CSV_CT, body: `\uFEFF${CSV_HEADER}\r\n6,"Ab, ""C""",556,active,` +
            "-1.50,SEK,0,2,'=X,low_balance\r\n" })],
    ['pass', rec('ok-csv-month', 'GET',
        '/v1/clients?format=csv&month=2026-03', 200, {
            ct: CSV_CT, body: `\uFEFF${CSV_HEADER},${CSV_MONTH}\r\n6,Ab,556,` +
                'active,-1.50,SEK,0,2,,,2026-03,1,0,0.00,1,-2.50,0,0.00,' +
                'ready 3.00 EUR\r\n' })],
    ['pass', rec('ok-preflight', 'OPTIONS', '/v1/me', 204, { ct: null,
        headers: { ...RID, 'access-control-allow-methods': 'GET',
            'access-control-allow-headers': 'Authorization',
            'access-control-max-age': '600' } })],
    ['pass', rec('ok-204', 'DELETE', '/v1/clients/1/assignees/2', 204,
        { ct: null })],
    ['pass', rec('ok-unsubscribe-page', 'GET', UNSUB, 200,
        { ct: HTML_CT, headers: PAGE_HEADERS, body: page(FORM) })],
    ['pass', rec('ok-unsubscribe-done-page', 'POST', UNSUB, 200,
        { ct: HTML_CT, headers: PAGE_HEADERS, body: page('<p>x</p>\n') })],
    // --- what does not
    ['fail', rec('page-without-form', 'GET', UNSUB, 200,
        { ct: HTML_CT, headers: PAGE_HEADERS, body: page('<p>x</p>\n') })],
    ['fail', rec('page-with-script', 'GET', UNSUB, 200, { ct: HTML_CT,
        headers: PAGE_HEADERS, body: page(`${FORM}<script>x</script>\n`) })],
    ['fail', rec('page-with-image', 'POST', UNSUB, 200, { ct: HTML_CT,
        headers: PAGE_HEADERS, body: page('<img src="https://x.test/a">\n') })],
    ['fail', rec('page-without-csp', 'POST', UNSUB, 400, { ct: HTML_CT,
        headers: { ...PAGE_HEADERS, 'content-security-policy': undefined },
        body: page('<p>x</p>\n') })],
    ['fail', rec('page-csp-allows-script', 'GET', UNSUB, 400, { ct: HTML_CT,
        headers: { ...PAGE_HEADERS, 'content-security-policy':
            "default-src 'none'; script-src 'self'" },
        body: page('<p>x</p>\n') })],
    ['fail', rec('page-without-charset', 'GET', UNSUB, 200, { ct:
        'text/html', headers: PAGE_HEADERS, body: page(FORM) })],
    ['fail', rec('closed-schema-extra-member', 'GET', '/v1/me', 200,
        { body: { ...ME, partner: { ...ME.partner, plan: 'gold' } } })],
    ['fail', rec('allof-extra-member', 'GET', '/v1/me', 200,
        { body: { ...ME, password_hash: '$2b$...' } })],
    ['fail', rec('open-schema-extra-member', 'GET', '/v1/clients', 200,
        { body: { data: [{ ...ROW, internal_note: 'x' }], total: 1,
            total_at_least: false, next_cursor: null } })],
    ['fail', rec('missing-required-member', 'GET', '/v1/clients', 200,
        { body: { data: [ROW], total: 1 } })],
    ['fail', rec('wrong-enum', 'GET', '/v1/clients/tabs', 200,
        { body: { tabs: [{ tab: 'archived', count: 1 }] } })],
    ['fail', rec('wrong-format', 'GET', '/v1/me', 200,
        { body: { ...ME, created_at: '2026-03-02 09:15' } })],
    ['fail', rec('undocumented-status', 'GET', '/v1/me', 404,
        { ct: PROBLEM_CT, body: notFound() })],
    ['fail', rec('undocumented-content-type', 'GET', '/v1/me', 200,
        { ct: 'text/html', body: '<p>hi</p>' })],
    ['fail', rec('no-request-id', 'GET', '/healthz', 200,
        { headers: { vary: 'Origin' }, body: { status: 'ok' } })],
    ['fail', rec('no-vary', 'GET', '/healthz', 200,
        { headers: { 'x-request-id': 'a1' }, body: { status: 'ok' } })],
    ['fail', rec('201-without-location', 'POST', '/v1/users', 201,
        { body: USER })],
    ['fail', rec('503-without-retry-after', 'GET', '/v1/me', 503,
        { ct: PROBLEM_CT, body: UNAVAILABLE })],
    ['fail', rec('cors-other-expose-list', 'GET', '/healthz', 200, {
        headers: { ...RID, 'access-control-expose-headers': 'Location' },
        body: { status: 'ok' } })],
    ['fail', rec('bad-header-value', 'GET', '/healthz', 200,
        { headers: { ...RID, 'x-request-id': 'not valid!' },
            body: { status: 'ok' } })],
    ['fail', rec('problem-without-title', 'GET', '/v1/clients/7', 404,
        { ct: PROBLEM_CT, body: { type: '/problems/not-found', status: 404 } })],
    ['fail', rec('error-as-json', 'GET', '/v1/clients/7', 404,
        { body: notFound() })],
    ['fail', rec('not-json', 'GET', '/v1/me', 200, { body: '{"id": 1,' })],
    ['fail', rec('csv-without-bom', 'GET', '/v1/clients?format=csv', 200,
        { ct: CSV_CT, body: `${CSV_HEADER}\r\n` })],
    ['fail', rec('csv-formula-cell', 'GET', '/v1/clients?format=csv', 200,
        { ct: CSV_CT, body: `\uFEFF${CSV_HEADER}\r\n6,=X,556,active,` +
            '1.50,SEK,0,2,\r\n' })],
    ['fail', rec('csv-short-record', 'GET', '/v1/clients?format=csv', 200,
        { ct: CSV_CT, body: `\uFEFF${CSV_HEADER}\r\n6,A\r\n` })],
    ['fail', rec('csv-lf-records', 'GET', '/v1/clients?format=csv', 200,
        { ct: CSV_CT, body: `\uFEFF${CSV_HEADER}\n` })],
    ['fail', rec('csv-month-without-its-columns', 'GET',
        '/v1/clients?format=csv&month=2026-03', 200,
        { ct: CSV_CT, body: `\uFEFF${CSV_HEADER}\r\n` })],
    ['fail', rec('csv-month-columns-without-month', 'GET',
        '/v1/clients?format=csv', 200,
        { ct: CSV_CT, body: `\uFEFF${CSV_HEADER},${CSV_MONTH}\r\n` })],
    ['fail', rec('csv-other-header', 'GET', '/v1/clients?format=csv', 200,
        { ct: CSV_CT, body: '\uFEFFid,name\r\n6,A\r\n' })],
    ['fail', rec('unknown-path-200', 'GET', '/v1/nope', 200,
        { body: { status: 'ok' } })],
    ['fail', rec('405-without-allow', 'DELETE', '/healthz', 405, {
        ct: PROBLEM_CT, body: { type: '/problems/method-not-allowed',
            title: 'Method not allowed', status: 405 } })],
    ['fail', rec('undocumented-method-200', 'DELETE', '/healthz', 200,
        { body: { status: 'ok' } })],
    ['fail', rec('204-with-body', 'DELETE', '/v1/clients/1/assignees/2', 204,
        { body: { ok: true } })],
    ['fail', rec('401-without-challenge', 'GET', '/v1/me', 401, {
        ct: PROBLEM_CT, body: { type: '/problems/unauthorized',
            title: 'Authentication required', status: 401 } })],
    ['fail', rec('head-with-body', 'HEAD', '/healthz', 200,
        { body: { status: 'ok' } })],
    ['fail', rec('problem-status-not-http-status', 'GET', '/v1/clients/7',
        404, { ct: PROBLEM_CT, body: notFound({ status: 400 }) })],
    ['fail', rec('preflight-without-max-age', 'OPTIONS', '/v1/me', 204, {
        ct: null, headers: { ...RID, 'access-control-allow-methods': 'GET',
            'access-control-allow-headers': 'Authorization' } })],
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-selftest-'));
try {
    const input = path.join(dir, 'cases.jsonl');
    const report = path.join(dir, 'report.json');
    fs.writeFileSync(input, cases.map(([, r]) => JSON.stringify(r))
        .join('\n') + '\n');
    const run = spawnSync(process.execPath, [path.join(HERE,
        'validate-responses.mjs'), '--report', report, input],
    { encoding: 'utf8' });
    if (run.status !== 1 || !fs.existsSync(report)) {
        console.error(run.stdout, run.stderr);
        console.error(`selftest: validate-responses exited ${run.status}, ` +
            'expected 1 with a report');
        process.exit(1);
    }
    const failedTests = new Set(JSON.parse(fs.readFileSync(report, 'utf8'))
        .failed_tests);
    const wrong = cases.filter(([want, r]) =>
        (want === 'fail') !== failedTests.has(r.test));
    for (const [want, r] of wrong) {
        console.error(`selftest: ${r.test}: expected ${want}, got ` +
            `${want === 'fail' ? 'pass' : 'fail'}`);
    }
    if (wrong.length) {
        console.error(run.stdout);
        process.exit(1);
    }
    console.log(`selftest: validate-responses gave each of ${cases.length} ` +
        'made-up responses its verdict ' +
        `(${cases.filter(([w]) => w === 'pass').length} fit, ` +
        `${cases.filter(([w]) => w === 'fail').length} do not)`);
} finally {
    if (!process.env.SELFTEST_KEEP) fs.rmSync(dir, { recursive: true, force: true });
}
