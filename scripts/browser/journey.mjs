// journey.mjs — end-to-end tests of the public pages and the explorer in a real browser:
// Debian's Chromium driven by playwright-core (never a downloaded browser build).
//
//   node journey.mjs http://127.0.0.1:PORT [--screenshots DIR]
//
// 1. the journey: type a name without diacritics into the home search, open the profile (and see
//    its vetting report), open a sanction from the timeline, follow its source link, switch to
//    English, load the explorer and run its example query;
// 2. the explorer and the pages load nothing from another origin (the browser's network log);
// 3. an accessibility check of home, profile and sanction pages: axe-core (WCAG 2 A/AA) plus
//    explicit checks of landmarks, lang, labelled inputs and headings.
// Exits 1 on the first failed check, naming it.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const base = process.argv[2];
if (!base) {
  console.error('usage: node journey.mjs BASE_URL [--screenshots DIR]');
  process.exit(2);
}
const shotsAt = process.argv.indexOf('--screenshots');
const shotDir = shotsAt > 0 ? process.argv[shotsAt + 1] : '';
const origin = new URL(base).origin;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let failures = 0;
function check(ok, what) {
  if (ok) {
    console.log(`  ok   ${what}`);
  } else {
    console.log(`  FAIL ${what}`);
    failures++;
  }
}

// fold removes Vietnamese diacritics as a reader without a Vietnamese keyboard types.
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

async function gql(query) {
  const res = await fetch(`${base}/graphql?query=${encodeURIComponent(query)}`);
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// A sanctioned influencer whose name has diacritics, and who has a sanction with a source link.
const data = await gql(`{ sanctions(first: 100, filter: { active: true }) { nodes { sourceUrl
  subject { ... on Influencer { id displayName } } } } }`);
const target = data.sanctions.nodes.find((s) => s.sourceUrl && s.subject?.displayName && fold(s.subject.displayName) !== s.subject.displayName)
  ?? data.sanctions.nodes.find((s) => s.sourceUrl && s.subject?.displayName);
if (!target) {
  console.error('the demo registry has no sanctioned influencer with a source link');
  process.exit(1);
}
const name = target.subject.displayName;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let exitCode = 0;
try {
  // bypassCSP: the pages forbid every script, axe-core included; the check injects it.
  const context = await browser.newContext({ locale: 'vi-VN', bypassCSP: true, viewport: { width: 1200, height: 900 } });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  // The source documents live on agencies' sites, which a test must not reach: the browser is
  // answered by a stand-in, and the test checks where the link led.
  await context.route((url) => /^https?:$/.test(url.protocol) && url.origin !== origin, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>source document</title><p>stand-in</p>' }));
  const page = await context.newPage();

  console.log(`journey (${name} typed as "${fold(name)}")`);
  await page.goto(`${base}/`);
  check((await page.getAttribute('html', 'lang')) === 'vi', 'home is in Vietnamese by default');
  if (shotDir) await shot(page, 'home');
  await a11y(page, 'home');

  await page.getByLabel(/Tìm người có ảnh hưởng/).fill(fold(name));
  await Promise.all([page.waitForURL(/\/search\?/), page.getByRole('button', { name: 'Tìm' }).click()]);
  const hit = page.locator(`ol.results a[href^="/influencers/"]`, { hasText: name }).first();
  check((await hit.count()) === 1, `search for "${fold(name)}" finds ${name}`);
  await Promise.all([page.waitForURL(/\/influencers\//), hit.click()]);
  check((await page.locator('h1').innerText()) === name, 'the profile opens');
  check((await page.locator('#vetting h2').count()) === 1 && (await page.locator('#vetting tbody tr').count()) >= 1,
    'the profile shows the vetting report with its factors');
  if (shotDir) await shot(page, 'profile');
  await a11y(page, 'profile');

  const fromTimeline = page.locator('ol.timeline a[href^="/sanctions/"]').first();
  check((await fromTimeline.count()) === 1, 'the timeline links a sanction');
  await Promise.all([page.waitForURL(/\/sanctions\//), fromTimeline.click()]);
  check(/Quyết định/.test(await page.locator('h1').innerText()), 'the sanction page opens');
  check((await page.locator('.cite').innerText()).includes(page.url().split('?')[0]), 'the sanction cites its permalink');
  if (shotDir) await shot(page, 'sanction');
  await a11y(page, 'sanction');
  const sanctionURL = page.url();

  const source = page.locator('a.source');
  if ((await source.count()) === 1) {
    const href = await source.getAttribute('href');
    await Promise.all([page.waitForURL(href), source.click()]);
    check(page.url() === href, `the source link leads to ${href}`);
    await page.goto(sanctionURL);
  } else {
    check(false, 'the sanction from the timeline has a source link');
  }

  await Promise.all([page.waitForURL(/lang=en/), page.locator('a.lang').click()]);
  check((await page.getAttribute('html', 'lang')) === 'en', 'the switch turns the page to English');
  check(/^Decision /.test(await page.locator('h1').innerText()), 'the heading is in English');

  // The explorer, in a fresh page so that its network log is its own.
  console.log('explorer');
  const ex = await context.newPage();
  const exRequests = [];
  ex.on('request', (r) => exRequests.push(r.url()));
  await ex.goto(`${base}/graphql`);
  ex.on('pageerror', (e) => console.log(`  (explorer error: ${e.message.split('\n')[0]})`));
  await ex.locator('.graphiql-execute-button').waitFor({ timeout: 60000 });
  check(true, 'the explorer loads');
  await ex.locator('.graphiql-execute-button').click();
  const result = ex.locator('.result-window');
  await result.getByText('"decisionNumber"').first().waitFor({ timeout: 60000 });
  check((await result.innerText()).includes('"totalCount"'), 'the example query runs and shows its result');
  const foreign = exRequests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  check(foreign.length === 0, `the explorer loads nothing from another origin${foreign.length ? ': ' + foreign.join(', ') : ''}`);

  const pageForeign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:') && u !== (target.sourceUrl));
  check(pageForeign.length === 0, `the pages load nothing from another origin${pageForeign.length ? ': ' + pageForeign.join(', ') : ''}`);
} catch (e) {
  console.log(`  FAIL ${e.message.split('\n')[0]}`);
  exitCode = 1;
} finally {
  await browser.close();
}
if (failures > 0) exitCode = 1;
console.log(exitCode === 0 ? 'browser tests: all passed' : `browser tests: ${failures || 1} failed`);
process.exit(exitCode);

async function shot(page, name) {
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: `${shotDir}/${name}.png`, fullPage: false });
}

// a11y runs axe-core (WCAG 2 A and AA) and the explicit checks on the current page.
async function a11y(page, what) {
  await page.addScriptTag({ content: axeSource });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`);
  });
  check(res.length === 0, `${what}: axe-core finds no WCAG 2 A/AA violation${res.length ? ': ' + res.join('; ') : ''}`);
  const facts = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    main: document.querySelectorAll('main').length,
    header: document.querySelectorAll('header').length,
    nav: document.querySelectorAll('nav').length,
    footer: document.querySelectorAll('footer').length,
    h1: document.querySelectorAll('h1').length,
    unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).length,
    skipped: (() => { // a heading level never jumps by more than one
      let prev = 0, bad = 0;
      for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
        const l = Number(h.tagName[1]);
        if (prev && l > prev + 1) bad++;
        prev = l;
      }
      return bad;
    })(),
  }));
  check(facts.lang === 'vi' || facts.lang === 'en', `${what}: <html lang> is set (${facts.lang})`);
  check(facts.main === 1 && facts.header >= 1 && facts.nav >= 1 && facts.footer >= 1, `${what}: header, nav, main and footer landmarks`);
  check(facts.h1 === 1 && facts.skipped === 0, `${what}: one h1 and no skipped heading level`);
  check(facts.unlabelled === 0, `${what}: every input has a label`);
}
