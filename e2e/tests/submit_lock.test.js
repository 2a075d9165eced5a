// Long saves in the browser (issue 15): a form being saved locks its button, says
// "Đang lưu…" (or "Uploading…" with a file, in English), and a double click on a slow
// save sends one request and records one thing. The server is made slow for these
// requests by a proxy that holds them a while, which is what a busy server or a slow
// line does to an official pressing the button again.
import { test, after } from 'node:test';
import http from 'node:http';
import assert from 'node:assert/strict';
import { base, useBrowser, signIn, fillLogin } from '../lib/browser.js';

const browser = useBrowser();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A slow server in front of the real one: every POST to a path `slow` accepts waits `ms` before it is
// passed on, and is counted.
async function slowServer(slow, ms) {
  const target = new URL(base);
  const posts = { count: 0 };
  const server = http.createServer(async (req, res) => {
    if (req.method === 'POST' && slow(new URL(req.url, base).pathname)) {
      posts.count += 1;
      await sleep(ms);
    }
    const forward = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  return { url: `http://127.0.0.1:${server.address().port}`, posts };
}

// Signs in through `url` (a session cookie is per host and port).
async function signInAt(page, url, username) {
  await page.goto(`${url}/login`);
  await fillLogin(page, username);
}

// Records, in the tab's session storage, how the form `selector` and its submit button
// look each time they change: the page cannot be asked while its form is on its way
// (Chromium answers a test's questions only once the next page has arrived), so it
// notes what it showed itself.
async function watchForm(page, selector) {
  await page.addInitScript((selector) => {
    document.addEventListener('DOMContentLoaded', () => {
      const form = document.querySelector(selector);
      if (!form) return;
      const note = () => {
        const seen = JSON.parse(sessionStorage.getItem('seen') || '[]');
        const button = form.querySelector('button[type=submit]');
        const progress = form.querySelector('.upload-progress');
        seen.push({
          disabled: button.disabled,
          text: button.textContent,
          color: getComputedStyle(button).color,
          busy: form.getAttribute('aria-busy'),
          progress: progress ? progress.textContent : null,
        });
        sessionStorage.setItem('seen', JSON.stringify(seen));
      };
      new MutationObserver(note).observe(form, { attributes: true, childList: true, subtree: true });
    });
  }, selector);
}

// What the watched form showed since the page was opened, last change last.
async function seen(page) {
  return JSON.parse(await page.evaluate(() => sessionStorage.getItem('seen') || '[]'));
}

test('a double click on a slow save sends one request, shows it is saving and records one task', async () => {
  const title = `Rà soát hồ sơ hộ nghèo ${Date.now()}`;
  const slow = await slowServer((path) => path === '/tasks', 1500);
  const page = await browser().newPage();
  await watchForm(page, 'form.task-assign');
  await signInAt(page, slow.url, 'vanphong.hatinh');
  await page.goto(`${slow.url}/tasks?unit=42`);
  const button = page.locator('form.task-assign button[type=submit]');
  const label = await button.innerText();
  await page.fill('form.task-assign input[name=title]', title);
  await page.fill('form.task-assign textarea[name=description]', 'Kiểm tra hồ sơ của các xã');
  await page.selectOption('form.task-assign select[name=lead_agency]', '42-syt');
  await page.selectOption('form.task-assign select[name=recurrence]', 'monthly');
  await page.fill('form.task-assign input[name=due_day]', '1');
  await page.evaluate(() => sessionStorage.setItem('seen', '[]'));

  // A double click, then another press while the first is still on its way.
  const box = await button.boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const navigated = page.waitForNavigation();
  await page.mouse.dblclick(x, y);
  await sleep(400);
  await page.mouse.click(x, y);
  await navigated;
  assert.equal(slow.posts.count, 1, 'one request reached the server');
  assert.match(await page.locator('.notice').innerText(), /Đã giao nhiệm vụ/);
  // While the server worked the button was locked, said so, and looked disabled (the
  // grey app.css gives a disabled button).
  const busy = (await seen(page)).find((s) => s.disabled);
  assert.deepEqual(busy, {
    disabled: true,
    text: 'Đang lưu…',
    color: 'rgb(119, 119, 119)',
    busy: 'true',
    progress: null,
  });

  await page.goto(`${slow.url}/tasks?unit=42`);
  assert.equal(await page.locator('table.tasks a', { hasText: title }).count(), 1, 'one task recorded');
  // The page shown afresh has its button pressable, with its own label.
  assert.equal(await button.isDisabled(), false);
  assert.equal(await button.innerText(), label);
  await page.close();
});

test('a report sent with a big file says it is uploading, in English too', async () => {
  const title = `Upload check ${Date.now()}`;
  const page = await browser().newPage();
  await signIn(page, 'vanphong.hatinh');
  await page.goto(`${base}/tasks?unit=42`);
  await page.fill('form.task-assign input[name=title]', title);
  await page.selectOption('form.task-assign select[name=lead_agency]', '42-syt');
  await page.selectOption('form.task-assign select[name=recurrence]', 'monthly');
  await page.fill('form.task-assign input[name=due_day]', '1');
  await Promise.all([page.waitForNavigation(), page.click('form.task-assign button[type=submit]')]);
  await page.close();

  const slow = await slowServer((path) => /^\/tasks\/\d+\/updates$/.test(path), 1500);
  const agency = await browser().newPage();
  await watchForm(agency, 'form.task-report');
  await signInAt(agency, slow.url, 'syt.hatinh');
  await agency.goto(`${slow.url}/tasks?lang=en`);
  await Promise.all([
    agency.waitForNavigation(),
    agency.locator('table.tasks a', { hasText: title }).click(),
  ]);
  const taskPath = new URL(agency.url()).pathname;
  await agency.selectOption('form.task-report select[name=status]', 'in_progress');
  await agency.fill('form.task-report input[name=progress]', '10');
  await agency.fill('form.task-report textarea[name=note]', 'Scanned minutes attached');
  // A bigger file than a form usually carries: 1,5 MB of PDF.
  const big = Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), Buffer.alloc(1_500_000, 0x20)]);
  await agency.setInputFiles('form.task-report input[name=files]', {
    name: 'bien-ban.pdf',
    mimeType: 'application/pdf',
    buffer: big,
  });
  await agency.evaluate(() => sessionStorage.setItem('seen', '[]'));
  await Promise.all([agency.waitForNavigation(), agency.click('form.task-report button[type=submit]')]);
  assert.equal(slow.posts.count, 1);
  assert.equal(new URL(agency.url()).pathname, taskPath);
  assert.match(await agency.locator('main').innerText(), /bien-ban\.pdf/);
  const busy = (await seen(agency)).filter((s) => s.disabled).pop();
  assert.equal(busy.text, 'Uploading…');
  assert.match(busy.progress, /Uploading… 1\.4 MB/);
  await agency.close();
});
