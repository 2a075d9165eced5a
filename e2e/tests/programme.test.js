// The programme's money in the browser, from the plan to the progress report: the
// finance department records the province's plan, the office computes the suggested
// shares of the communes and adopts them, the finance department disburses to one
// commune, and the progress page and the report definition show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, useBrowser, signIn, submit } from '../lib/browser.js';

const browser = useBrowser();

// Each user in a browser context of their own, so that their sessions do not mix.
async function pageOf(username) {
  const context = await browser().newContext();
  const page = await context.newPage();
  await signIn(page, username);
  return page;
}

// A cell's text without its thousands dots: "1.000.000" → 1000000.
function amount(text) {
  return Number(text.trim().replaceAll('.', ''));
}

test('plan, allocate by the suggested shares, disburse, and see the progress report', async () => {
  const finance = await pageOf('taichinh.hatinh');
  await finance.goto(`${base}/programme?unit=42`);
  const year = await finance.inputValue('form.toolbar input[name=year]');

  // The plan of the province.
  const plan = finance.locator('#plan-form');
  await plan.locator('select[name=project]').selectOption('c2');
  await plan.locator('select[name=source]').selectOption('central');
  await plan.locator('input[name=amount]').fill('3.000.000');
  await plan.locator('input[name=document_number]').fill('KH-01');
  await submit(finance, '#plan-form button[type=submit]');
  assert.match(await finance.locator('.notice').innerText(), /Đã ghi vào sổ/);

  // The office opens the allocation page from the progress page and asks for the
  // suggestion: every commune with its coefficient and formula, summing to the total.
  const office = await pageOf('vanphong.hatinh');
  await office.goto(`${base}/programme?unit=42&year=${year}`);
  await Promise.all([office.waitForNavigation(), office.click('a[href^="/programme/allocate?"]')]);
  await office.fill('#suggest-form input[name=total]', '1.000.000');
  await submit(office, '#suggest-form button[type=submit]');
  const rows = office.locator('#suggestion tbody tr:not(.total)');
  assert.ok((await rows.count()) > 1, 'one row per commune');
  assert.match(await office.locator('#suggestion').innerText(), /Xã Hà Linh/);
  assert.match(await office.locator('#suggestion').innerText(), /thôn ĐBKK/);
  assert.equal(amount(await office.locator('#suggestion tr.total td.num').first().innerText()), 1000000);
  const share = Number(await office.inputValue('#adopt-form input[name=amount_18502]'));
  assert.ok(share > 5000, `Hà Linh's share ${share}`);
  await office.locator('#adopt-form select[name=project]').selectOption('c2');
  await office.locator('#adopt-form select[name=source]').selectOption('central');
  await office.fill('#adopt-form input[name=document_number]', '125/QĐ-UBND');
  await submit(office, '#adopt-form button[type=submit]');

  // The finance department disburses part of Hà Linh's share.
  await finance.goto(`${base}/programme?unit=42&year=${year}`);
  const pay = finance.locator('#disbursement-form');
  await pay.locator('select[name=unit]').selectOption('18502');
  await pay.locator('select[name=project]').selectOption('c2');
  await pay.locator('select[name=source]').selectOption('central');
  await pay.locator('input[name=amount]').fill('5.000');
  await pay.locator('input[name=document_number]').fill('PC-01');
  await submit(finance, '#disbursement-form button[type=submit]');

  // The progress page: the total and Hà Linh's line.
  const total = finance.locator('#progress tr.total td');
  assert.equal(amount(await total.nth(0).innerText()), 3000000);
  assert.equal(amount(await total.nth(1).innerText()), 1000000);
  assert.equal(amount(await total.nth(2).innerText()), 5000);
  const haLinh = finance.locator('#communes tr', { hasText: 'Xã Hà Linh' });
  assert.equal(amount(await haLinh.locator('td').nth(1).innerText()), share);
  assert.equal(amount(await haLinh.locator('td').nth(2).innerText()), 5000);

  // The same figures in the report of the report definitions.
  await finance.goto(`${base}/reports/tien-do-von?unit=42&period=${year}`);
  const report = await finance.locator('table').first().innerText();
  assert.match(report, /Xã Hà Linh/);
  assert.match(report, /Tổng cộng/);
  const totalRow = finance.locator('table tr', { hasText: 'Tổng cộng' }).first();
  const cells = await totalRow.locator('td').allInnerTexts();
  const figures = cells.map((c) => c.trim()).filter((c) => /^[\d.]+$/.test(c));
  assert.deepEqual(figures.slice(0, 3).map(amount), [3000000, 1000000, 5000]);

  // Hà Linh's disbursed figure opens the disbursements behind it, which add up to it.
  const haLinhRow = finance.locator('table tr', { hasText: 'Xã Hà Linh' }).first();
  await Promise.all([
    finance.waitForNavigation(),
    haLinhRow.locator('a[href*="key=money.disbursed"]').first().click(),
  ]);
  assert.match(await finance.locator('h1').innerText(), /Các khoản đã giải ngân năm \d{4} — Xã Hà Linh/);
  assert.equal(amount(await finance.locator('#figure-total').innerText()), 5000);
  assert.match(await finance.locator('#figure-lines').innerText(), /PC-01/);

  await finance.context().close();
  await office.context().close();
});
