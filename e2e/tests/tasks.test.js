// The agencies' tasks in the browser: the province's office assigns a task to the
// health department, the department's officer reports progress with a PDF attached,
// and the steering committee's page (read by the Fatherland Front's oversight user)
// shows the task with its new status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, useBrowser, signIn, submit } from '../lib/browser.js';

const browser = useBrowser();

// A small but real PDF: the attachment is checked by its bytes, not its name.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
  '2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

test('the office assigns, the agency reports with an attachment, the committee sees it', async () => {
  // A monthly report due by the 1st. The agency reports on December's, so January's is
  // still owed whatever the day the test runs: the committee lists the task as overdue
  // (or, on the first working day of January, as due soon), with its new status.
  const title = `Báo cáo cấp thẻ BHYT cho người nghèo ${Date.now()}`;

  const office = await browser().newPage();
  await signIn(office, 'vanphong.hatinh');
  await office.goto(`${base}/`);
  assert.ok(await office.locator('nav.main a[href="/tasks"]').count());
  await office.goto(`${base}/tasks?unit=42`);
  await office.fill('form.task-assign input[name=title]', title);
  await office.fill('form.task-assign textarea[name=description]', 'Tổng hợp số thẻ đã cấp trong tháng');
  await office.selectOption('form.task-assign select[name=lead_agency]', '42-syt');
  await office.selectOption('form.task-assign select[name=recurrence]', 'monthly');
  await office.fill('form.task-assign input[name=due_day]', '1');
  await submit(office, 'form.task-assign button[type=submit]');
  assert.match(await office.locator('.notice').innerText(), /Đã giao nhiệm vụ/);
  assert.ok(await office.locator('a', { hasText: title }).count());
  await office.close();

  // The health department's officer finds it in its list and reports with a PDF.
  const agency = await browser().newPage();
  await signIn(agency, 'syt.hatinh');
  await agency.goto(`${base}/tasks`);
  const link = agency.locator('table.tasks a', { hasText: title });
  assert.equal(await link.count(), 1);
  await Promise.all([agency.waitForNavigation(), link.click()]);
  await agency.selectOption('form.task-report select[name=status]', 'in_progress');
  const periods = agency.locator('form.task-report select[name=period_due] option');
  assert.equal(await periods.count(), 12, 'one due date a month');
  const december = await periods.last().getAttribute('value');
  assert.match(december, /^\d\d\/12\/\d{4}$/);
  await agency.selectOption('form.task-report select[name=period_due]', december);
  await agency.fill('form.task-report input[name=progress]', '40');
  await agency.fill('form.task-report textarea[name=note]', 'Đã cấp 120 thẻ BHYT cho người nghèo');
  await agency.setInputFiles('form.task-report input[name=files]', {
    name: 'bao-cao-the-bhyt.pdf',
    mimeType: 'application/pdf',
    buffer: PDF,
  });
  await submit(agency, 'form.task-report button[type=submit]');
  const body = await agency.locator('main').innerText();
  assert.match(body, /Đã cấp 120 thẻ BHYT cho người nghèo/);
  assert.match(body, /bao-cao-the-bhyt\.pdf/);
  assert.match(body, /40 %/);
  await agency.close();

  // The committee's page shows the task, its agency and its new status.
  const committee = await browser().newPage();
  await signIn(committee, 'mttq.hatinh');
  await committee.goto(`${base}/committee?unit=42`);
  const line = committee.locator('section.committee li', { hasText: title });
  assert.equal(await line.count(), 1, await committee.content());
  const text = await line.innerText();
  assert.match(text, /Sở Y tế tỉnh Hà Tĩnh/);
  assert.match(text, /(Quá hạn|Sắp đến hạn) \d\d\/01\/\d{4} · Đang thực hiện/);
  // The line leads to the task's page, where the report and its attachment are.
  await Promise.all([committee.waitForNavigation(), line.locator('a').click()]);
  assert.match(await committee.locator('main').innerText(), /bao-cao-the-bhyt\.pdf/);
  await committee.close();
});
