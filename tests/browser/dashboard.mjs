// SPDX-License-Identifier: MIT
// The dashboard (www/index.html, served by fcgi_proc at the API's own
// URL) in Debian's Chromium, against a real web server + fcgi_proc + test
// supervisor that tests/browser.sh started.  QUICK (any non-empty word)
// only loads it and stops and starts a process through it, as each other
// web server is tried.
//
//   node dashboard.mjs URL LOCKDIR LOCKFILE_TOOL SCREENSHOT SUPERVISOR_PID [QUICK]
//
// Prints "ok - ..." or "FAIL - ..." for each check.
import { execFileSync } from "node:child_process";
import { unlinkSync } from "node:fs";
import { chromium } from "playwright-core";
import { check, field, launch } from "./common.mjs";

const [url, lockdir, lockfileTool, screenshot, supervisor, quick] = process.argv.slice(2);
const api = new URL(url).pathname;
const flag = (name) => field(lockfileTool, lockdir, name, 1);

const row = (page, name) => page.locator(`tbody tr[data-name="${name}"]`);

async function waitState(page, name, state, ms = 8000) {
  try {
    await page.waitForSelector(`tbody tr[data-name="${name}"][data-state="${state}"]`,
      { timeout: ms });
    return true;
  } catch (e) {
    return false;
  }
}

const browser = await launch(chromium);
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 420 } });
  const dialogs = [];
  const errors = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(url);
  await page.waitForSelector("tbody tr");
  const names = await page.locator("tbody tr").evaluateAll(
    (rows) => rows.map((r) => r.dataset.name));
  check(["procmon1", "sleep1", "sleep2"].every((n) => names.includes(n)),
    `at ${api}, the page lists the demo processes (${names.join(", ")})`);
  if (quick) {
    await row(page, "sleep1").locator('button[data-action="stop"]').click();
    check(await waitState(page, "sleep1", "stopped") && flag("sleep1") === "0xdeadbeef",
      `at ${api}, clicking stop stops it`);
    await row(page, "sleep1").locator('button[data-action="start"]').click();
    check(await waitState(page, "sleep1", "running") && flag("sleep1") === "0",
      `at ${api}, clicking start starts it again`);
    throw null;
  }
  const badge = row(page, "sleep1").locator(".state");
  check(await badge.textContent() === "running" &&
    await badge.evaluate((b) => getComputedStyle(b).backgroundColor) === "rgb(26, 127, 55)",
    "sleep1 is running, in green");
  const cells = await row(page, "sleep1").locator("td").allTextContents();
  check(/MiB$/.test(cells[5]) && /^\d+\.\d\d s$/.test(cells[6]),
    `memory and CPU shown for a running process (${cells[5]}, ${cells[6]})`);

  // Hold the POST back a little, to see the buttons while it is in flight.
  await page.route(`**${api}`, async (route) => {
    if (route.request().method() === "POST")
      await new Promise((r) => setTimeout(r, 400));
    await route.continue();
  });
  await row(page, "sleep1").locator('button[data-action="stop"]').click();
  check(await row(page, "sleep1").locator("button:disabled").count() === 3,
    "the row's buttons are disabled while the action is in flight");
  check(await waitState(page, "sleep1", "stopped"), "clicking stop turns the row to stopped");
  check(await row(page, "sleep1").locator(".state.stopped").count() === 1,
    "... in red");
  check((await row(page, "sleep1").locator(".note").textContent()) === "on request",
    "... stopped on request, and says so");
  check(flag("sleep1") === "0xdeadbeef", "... and the lockfile says stopped");
  check((await page.locator("#message").textContent()).includes("sleep1: stopped"),
    `the result is shown: "${await page.locator("#message").textContent()}"`);
  check(await row(page, "sleep1").locator("button:enabled").count() === 2 &&
    await row(page, "sleep1").locator('button[data-action="stop"]').isDisabled(),
    "start and restart are enabled again, stop is not: it is stopped");

  await row(page, "sleep1").locator('button[data-action="start"]').click();
  check(await waitState(page, "sleep1", "running"), "clicking start brings it back");
  check(flag("sleep1") === "0", "... and the lockfile says so");

  // Buttons that could do nothing are disabled, and say why.
  const title = (name, action) =>
    row(page, name).locator(`button[data-action="${action}"]`).getAttribute("title");
  const disabled = (name, action) =>
    row(page, name).locator(`button[data-action="${action}"]`).isDisabled();
  check(await disabled("procmon1", "stop") && await disabled("procmon1", "restart") &&
    /protected/.test(await title("procmon1", "stop")),
    `a protected process cannot be stopped or restarted: "${await title("procmon1", "stop")}"`);
  check(await disabled("sleep1", "start") && await title("sleep1", "start") === "already running" &&
    !await disabled("sleep1", "stop") && !await disabled("sleep1", "restart"),
    "start is disabled on a running process, with the reason as its tooltip");
  check(await disabled("xss", "stop") && await title("xss", "stop") === "already stopped" &&
    !await disabled("xss", "start"),
    "stop is disabled on a stopped process");

  // A name JSON cannot carry exactly (not UTF-8) is asked by its bytes.
  await page.waitForSelector('tbody tr[data-name="caf\ufffd"]');
  await row(page, "caf\ufffd").locator('button[data-action="stop"]').click();
  await page.waitForFunction(() =>
    document.getElementById("message").textContent.startsWith("caf\ufffd:"));
  const caf = await (await page.request.get(url + "?status=caf%E9")).json();
  check(caf.stop_requested === true,
    `a name that is not UTF-8 is acted on by its bytes: "${await page.locator("#message").textContent()}"`);
  // A header of no known layout: nothing is offered, and it says why.
  check(await row(page, "garbled").locator("button:enabled").count() === 0 &&
    /cannot act: its lockfile does not read as a procmon header/.test(
      await row(page, "garbled").locator('button[data-action="stop"]').getAttribute("title")) &&
    await row(page, "garbled").locator(".state").textContent() === "unknown",
    "an unreadable lockfile: state unknown, every button disabled, and why");

  // A refusal the page cannot foresee: the lockfile goes away.
  await page.waitForSelector('tbody tr[data-name="vanish"]');
  unlinkSync(`${lockdir}/procmon.vanish`);
  await row(page, "vanish").locator('button[data-action="start"]').click();
  await page.waitForFunction(() =>
    document.getElementById("message").textContent.includes("vanish:"));
  const error = await page.locator("#message").textContent();
  check(error.includes("no process named") && error.includes("(404)") &&
    await page.locator("#message.error").count() === 1,
    `an error is shown as such: "${error}"`);

  // The keyboard alone: Tab to a button, Enter or Space on it.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => {
      const f = document.activeElement;
      return f && f.dataset.action === "stop" && f.closest("tr").dataset.name === "sleep2";
    });
  }
  check(reached, "Tab reaches sleep2's stop button");
  await page.keyboard.press("Enter");
  check(await waitState(page, "sleep2", "stopped"), "Enter on it stops sleep2");
  check(await page.evaluate(() => document.activeElement.dataset.action === "start" &&
    document.activeElement.closest("tr").dataset.name === "sleep2"),
    "the focus stays in the row, on start, stop being disabled now");
  await page.keyboard.press("Space");
  check(await waitState(page, "sleep2", "running"), "Space on start: it runs again");

  // Results stay listed, newest first, until dismissed.
  const results = await page.locator("#results li").allTextContents();
  check(results.length >= 4 && results[0].startsWith("sleep2: ") &&
    results.some((r) => r.startsWith("vanish: ")),
    `the last actions' results are listed (${results.length})`);
  await page.locator("#results li").first().locator("button").click();
  check(await page.locator("#results li").count() === results.length - 1,
    "a result is dismissed by its button");

  const xss = row(page, "xss");
  check(await xss.locator("code").textContent() === "sleep 9 <img src=x onerror=alert(1)>",
    "a command line with markup is shown as text");
  check(await row(page, "<b>bold").count() === 1,
    "a name with markup is shown as text");
  check(await page.locator("tbody img, tbody b").count() === 0,
    "no element was made from a name or command line");

  // The table follows the processes by itself.
  check(await page.locator("#procmon").isHidden(), "no procmon banner while it runs");
  execFileSync(lockfileTool, ["set", `${lockdir}/procmon.sleep2`,
    "terminate=0xdeadbeef"]);
  const holder = Number(field(lockfileTool, lockdir, "sleep2", 4));
  if (holder > 1)
    process.kill(holder, "SIGKILL");
  check(await waitState(page, "sleep2", "stopped", 8000),
    "a process stopped elsewhere shows stopped within a refresh");

  await page.screenshot({ path: screenshot, fullPage: true });

  // procmon itself killed: a banner, and nothing offered that needs it.
  if (Number(supervisor) > 1)
    process.kill(Number(supervisor), "SIGKILL");
  const died = Number(field(lockfileTool, lockdir, "sleep1", 4));
  if (died > 1)
    process.kill(died, "SIGKILL");
  try {
    await page.waitForSelector("#procmon:not([hidden])", { timeout: 8000 });
    check(/^procmon is not running/.test(await page.locator("#procmon").textContent()),
      "procmon killed: a banner says it is not running");
  } catch (e) {
    check(false, "procmon killed: a banner says it is not running");
  }
  check(await waitState(page, "sleep1", "stopped", 8000) &&
    (await row(page, "sleep1").locator(".note").textContent()) === "ended, not on request",
    "a process that died, not on request, says so");
  check(await disabled("sleep1", "restart") && /procmon is not running/.test(
    await title("sleep1", "restart")) && !await disabled("sleep1", "stop"),
    "restart and start are disabled, stop is not");
  check(dialogs.length === 0, `no script ran from the data (dialogs: ${dialogs.length})`);
  check(errors.length === 0, `no error in the page (${errors.join("; ")})`);
} catch (e) {
  if (e !== null)
    check(false, "the browser test ran to its end: " + e.message);
} finally {
  await browser.close();
}
