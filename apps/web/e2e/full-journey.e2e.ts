import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath, type E2EStack, startStack } from './stack.ts';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
// The shared checkout's fixtures when there is one (it has every photo), else the repository's own.
const photo = ['../../../shared/fixtures/photos/coffee.png', '../../../fixtures/photos/astronaut.png']
  .map((p) => fileURLToPath(new URL(p, import.meta.url)))
  .find((p) => existsSync(p));

const CANVAS = { width: 256, height: 192 };
// Expectations poll the page: a run on the procedural backend finishes in seconds, the rest in less.
const RUN_TIMEOUT = 60_000;

let stack: E2EStack;
let browser: Browser;
let page: Page;
let projectUrl: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const executablePath = chromiumPath();
  stack = await startStack(artifacts);
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function screenshotOnFailure(step: string) {
  onTestFailed(async () => {
    await page?.screenshot({ path: path.join(artifacts, `failed-${step}.png`), fullPage: true });
  });
}

const shot = (step: string) => page.screenshot({ path: path.join(artifacts, `${step}.png`), fullPage: true });

/** Polls until the condition holds, so the assertion waits for the page like a person would. */
async function eventually(check: () => Promise<void>, timeout = 15_000): Promise<void> {
  await expect.poll(async () => check().then(() => true), { timeout, interval: 200 }).toBe(true);
}

/** Clicks canvas pixels on the editor overlay, which shows the whole canvas centred in its box. */
async function clickCanvas(canvas: Locator, points: readonly (readonly [number, number])[]) {
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the canvas is not on screen');
  const scale = Math.min(box.width / CANVAS.width, box.height / CANVAS.height);
  const left = box.x + (box.width - CANVAS.width * scale) / 2;
  const top = box.y + (box.height - CANVAS.height * scale) / 2;
  for (const [x, y] of points) await page.mouse.click(left + x * scale, top + y * scale);
}

/** Every image matched has loaded (signed URLs that the API served, not broken icons). */
async function imagesLoaded(images: Locator): Promise<number> {
  const widths = await images.evaluateAll((els) => els.map((el) => (el as HTMLImageElement).naturalWidth));
  if (widths.length === 0 || widths.some((w) => w === 0)) throw new Error(`images not loaded: ${widths}`);
  return widths.length;
}

describe('the web client against the real stack', () => {
  it('signs in with an API key', async () => {
    screenshotOnFailure('sign-in');
    await page.goto(`${stack.webUrl}/projects`);
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel('API key').fill(stack.key);
    await shot('01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.webUrl}/projects`);
    await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
    await page.getByText('No projects yet').waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'pakati_session')).toMatchObject({ httpOnly: true });
    // The header names the organization the key belongs to (the tenant the stack made).
    await expect.poll(() => page.getByTestId('organization-name').textContent()).toBe('e2e');
  });

  it('creates a project and opens it', async () => {
    screenshotOnFailure('create-project');
    await page.getByLabel('Name').fill('Harbour at dusk');
    await page.getByLabel('Width (px)').fill(String(CANVAS.width));
    await page.getByLabel('Height (px)').fill(String(CANVAS.height));
    await page.getByRole('button', { name: 'Create project' }).click();
    const link = page.getByRole('link', { name: 'Harbour at dusk' });
    await link.waitFor();
    await shot('02-projects');
    await link.click();
    await page.waitForURL(/\/projects\/[^/]+$/);
    projectUrl = page.url();
    await page.getByRole('heading', { name: 'Harbour at dusk' }).waitFor();
    await page.getByText(`Canvas ${CANVAS.width} × ${CANVAS.height} px`).waitFor();
  });

  it('draws two regions, prompts them and saves', async () => {
    screenshotOnFailure('regions');
    const canvas = page.getByTestId('region-canvas');
    const regions = [
      { prompt: 'a red sunset sky over the harbour', x0: 16, x1: 120 },
      { prompt: 'blue sea waves with small boats', x0: 136, x1: 240 },
    ];
    for (const [index, region] of regions.entries()) {
      await page.getByRole('button', { name: 'Draw polygon' }).click();
      const { x0, x1 } = region;
      // Four corners, then the first one again to close the shape.
      await clickCanvas(canvas, [
        [x0, 16],
        [x1, 16],
        [x1, 176],
        [x0, 176],
        [x0, 16],
      ]);
      await page.getByTestId(`region-shape-${index + 1}`).waitFor();
      await page
        .getByRole('group', { name: `Region ${index + 1} settings` })
        .getByLabel('Prompt', { exact: true })
        .fill(region.prompt);
    }
    await expect.poll(() => page.getByTestId('drawing').count()).toBe(0);
    await page.getByRole('button', { name: 'Save regions' }).click();
    await page.getByText('All changes saved').waitFor();
    await expect.poll(() => page.getByText('unsaved', { exact: true }).count()).toBe(0);
  });

  it('uploads a reference photo through the references panel', async () => {
    screenshotOnFailure('reference');
    if (!photo) throw new Error('no fixture photo: fixtures/photos/astronaut.png is missing');
    const references = page.getByRole('region', { name: 'References' });
    await references.getByText('No references yet.').waitFor();
    await references.locator('input[type="file"]').setInputFiles(photo);
    const thumbnails = references.getByRole('listitem').getByRole('img');
    await eventually(async () => {
      expect(await imagesLoaded(thumbnails)).toBe(1);
    });
    // Bound to the region drawn and saved last in this visit (still selected), named as the editor names it.
    expect(await references.getByTestId('reference-binding').textContent()).toBe('Region 2');
    await shot('03-project-editor');
  });

  it('starts a REFINE run and watches it complete with chart, timeline and result', async () => {
    screenshotOnFailure('refine-run');
    const form = page.getByRole('form', { name: 'Start a run' });
    await form.getByLabel('Refine towards the references').check();
    await form.getByLabel('Max iterations (1–20)').fill('2');
    await form.getByRole('button', { name: 'Start refinement' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const status = page.getByTestId('run-status');
    await expect.poll(() => status.textContent(), { timeout: RUN_TIMEOUT, interval: 250 }).toBe('SUCCEEDED');

    const timeline = page.getByTestId('iteration-timeline');
    await eventually(async () => {
      expect(await imagesLoaded(timeline.getByRole('img'))).toBeGreaterThanOrEqual(2);
    });
    // The baseline and at most two refinement iterations.
    expect(await timeline.getByRole('listitem').count()).toBeLessThanOrEqual(3);
    // Recharts draws one curve per series (the overall score and each region's).
    await page.locator('.runs-chart .recharts-line-curve').first().waitFor();
    expect(await page.locator('.runs-chart .recharts-line-curve').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('score-table').locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    await eventually(async () => {
      expect(await imagesLoaded(page.getByTestId('run-result-image'))).toBe(1);
    });
    await expect.poll(() => page.getByTestId('run-stream').textContent()).toBe('finished');
    await shot('04-run-succeeded');
  });

  it('shows the result in the gallery with a working download link', async () => {
    screenshotOnFailure('gallery');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Gallery' }).click();
    await page.waitForURL(/\/gallery$/);
    const gallery = page.getByTestId('gallery');
    await eventually(async () => {
      expect(await imagesLoaded(gallery.getByRole('img'))).toBe(1);
    });
    const download = gallery.getByRole('link', { name: 'Download' });
    const href = await download.getAttribute('href');
    expect(href).toBeTruthy();
    const image = await page.request.get(href!);
    expect(image.status()).toBe(200);
    expect(image.headers()['content-type']).toBe('image/png');
    await shot('05-gallery');
  });

  it('removes the reference after confirmation, and the finished run still reads', async () => {
    screenshotOnFailure('remove-reference');
    await page.goto(projectUrl);
    const references = page.getByRole('region', { name: 'References' });
    const item = references.getByTestId('reference-item');
    await item.waitFor();
    await item.getByRole('button', { name: /^Remove / }).click();
    await item.getByRole('alertdialog').waitFor();
    await item.getByRole('button', { name: 'Remove for good' }).click();
    await references.getByText('No references yet.').waitFor();
    // Gone on the server too, not only from the list.
    await page.reload();
    await page.getByRole('region', { name: 'References' }).getByText('No references yet.').waitFor();

    // The REFINE run measured against the removed reference: its page reads as before.
    await page
      .getByTestId('runs-list')
      .getByRole('link', { name: /SUCCEEDED/ })
      .click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('SUCCEEDED');
    await eventually(async () => {
      expect(
        await imagesLoaded(page.getByTestId('iteration-timeline').getByRole('img')),
      ).toBeGreaterThanOrEqual(2);
    });
    expect(pageErrors).toEqual([]);
  });

  it('cancels a second run while it waits in the queue', async () => {
    screenshotOnFailure('cancel');
    // Holding the queue keeps the run QUEUED until the button is pressed, however fast the worker is.
    const queue = stack.environment.platform.queues.queue('generation');
    await queue.pause();
    try {
      await page.goto(projectUrl);
      await page.getByRole('form', { name: 'Start a run' }).getByRole('button', { name: 'Generate' }).click();
      await page.waitForURL(/\/runs\/[^/]+$/);
      const status = page.getByTestId('run-status');
      await expect.poll(() => status.textContent()).toBe('QUEUED');
      await page.getByTestId('cancel-run').click();
      await expect.poll(() => status.textContent()).toBe('CANCELLED');
      await page.getByTestId('run-cancelled').waitFor();
      expect(await page.getByTestId('cancel-run').count()).toBe(0);
      await shot('06-run-cancelled');
    } finally {
      await queue.resume();
    }
    await page.goto(projectUrl);
    const runs = page.getByTestId('runs-list');
    await runs.getByText('CANCELLED').waitFor();
    await runs.getByText('SUCCEEDED').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('shows the settings: the key in use, the worker fleet and the queues', async () => {
    screenshotOnFailure('settings');
    await page.goto(`${stack.webUrl}/settings`);
    const keys = page.getByTestId('api-keys-list');
    await keys.getByTestId('api-key').first().waitFor();
    await page.getByTestId('fleet-worker').first().waitFor();
    await page.getByRole('table', { name: 'Queues' }).waitFor();
    await page.getByRole('heading', { name: 'Webhooks' }).first().waitFor();
    await shot('07-settings');
    expect(pageErrors).toEqual([]);
  });

  it("edits a webhook endpoint's URL, with the API's refusal shown next to the field", async () => {
    screenshotOnFailure('webhook-edit');
    // IP literals: checked without DNS, and nothing is delivered (no run starts after this).
    const first = 'https://93.184.216.34/pakati-hook';
    const second = 'https://93.184.216.35/pakati-hook';
    const add = page.getByRole('form', { name: 'Add an endpoint' });
    await add.getByLabel('URL').fill(first);
    await add.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByTestId('webhook-secret').getByRole('button', { name: 'I have stored it' }).click();
    const endpoints = page.getByRole('list', { name: 'Webhook endpoints' });
    await endpoints.getByRole('button', { name: `Edit ${first}` }).click();
    const form = endpoints.getByRole('form', { name: `Edit ${first}` });
    const url = form.getByLabel('URL');
    await url.fill('http://10.0.0.1/hook');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.locator('.field-error').waitFor();
    expect(await url.getAttribute('aria-invalid')).toBe('true');

    await url.fill(second);
    await form.getByRole('checkbox', { name: 'run.started' }).check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await endpoints.getByText(second, { exact: true }).waitFor();
    await endpoints.getByText(/run\.started, run\.completed/).waitFor();
    expect(await endpoints.getByText(first, { exact: true }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("shows the analytics of the organization's runs", async () => {
    screenshotOnFailure('analytics');
    await page.goto(`${stack.webUrl}/analytics`);
    // The journey ran two runs: one succeeded, one cancelled.
    await expect.poll(() => page.getByTestId('run-total').textContent()).not.toBe('0');
    await page.getByTestId('success-rate').waitFor();
    await page.getByRole('heading', { name: 'Backends' }).waitFor();
    await shot('08-analytics');
    expect(pageErrors).toEqual([]);
  });
});
