#!/usr/bin/env node
// Runs every graphql-http server audit (GraphQL-over-HTTP conformance) against a running endpoint.
//
//   node scripts/audit/audit.mjs http://127.0.0.1:8080/graphql [--verbose]
//
// Prints each failed audit with its requirement level (MUST / SHOULD / MAY), then a summary line,
// and exits 1 when any MUST audit fails (SHOULD/MAY failures are warnings), 2 on bad usage.
import { serverAudits } from 'graphql-http';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
const url = args.find((a) => !a.startsWith('-'));
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL> [--verbose]');
  process.exit(2);
}

const perRequestTimeoutMs = 15_000;
// fetch with a timeout, so that a hanging server fails the audit instead of the whole run.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(perRequestTimeoutMs) });

const levelOf = (name) => name.split(' ', 1)[0]; // audit names start with MUST, SHOULD or MAY

async function describeResponse(res) {
  if (!res || typeof res.status !== 'number') return '';
  let body = '';
  try {
    body = await res.clone().text();
  } catch {
    // The audit already read the body; the status is all we can show.
  }
  if (body.length > 300) body = body.slice(0, 300) + '…';
  return `HTTP ${res.status} ${res.headers.get('content-type') ?? '(no content-type)'}` +
    (body ? `\n      body: ${body.replace(/\s+/g, ' ')}` : '');
}

let passed = 0;
let mustFailures = 0;
let warnings = 0;

// One plain request first: an unreachable server is one clear error, not 61 confusing ones.
try {
  await fetchFn(url, { method: 'GET' });
} catch (err) {
  console.error(`graphql-http audit: cannot reach ${url}: ${err?.cause?.message ?? err?.message ?? err}`);
  process.exit(1);
}

const audits = serverAudits({ url, fetchFn });
console.log(`graphql-http audit of ${url}: ${audits.length} audits`);
for (const audit of audits) {
  const level = levelOf(audit.name);
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    result = { id: audit.id, name: audit.name, status: level === 'MUST' ? 'error' : 'warn',
      reason: `audit could not run: ${err?.cause?.message ?? err?.message ?? err}` };
  }
  if (result.status === 'ok') {
    passed++;
    if (verbose) console.log(`  ok    ${level.padEnd(6)} ${audit.id} ${audit.name}`);
    continue;
  }
  const isMust = level === 'MUST' || result.status === 'error';
  if (isMust) mustFailures++;
  else warnings++;
  console.log(`  ${isMust ? 'FAIL ' : 'warn '} ${level.padEnd(6)} ${audit.id} ${audit.name}`);
  console.log(`      reason: ${result.reason}`);
  const detail = await describeResponse(result.response);
  if (detail) console.log(`      ${detail}`);
}

console.log(`graphql-http audit: ${passed} passed, ${mustFailures} MUST failures, ${warnings} SHOULD/MAY warnings`);
process.exit(mustFailures > 0 ? 1 : 0);
