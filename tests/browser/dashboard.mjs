// The dashboard (www/index.html) in Debian's Chromium, against a real
// lighttpd + fcgi_proc + test supervisor that tests/browser.sh started.
//
//   node dashboard.mjs URL LOCKDIR LOCKFILE_TOOL SCREENSHOT
//
// Prints "ok - ..." or "FAIL - ..." for each check.
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

const [url, lockdir, lockfileTool, screenshot] = process.argv.slice(2);

function check(ok, what) {
  console.log((ok ? "ok - " : "FAIL - ") + what);
}

// The stop flag of a lockfile, as the lockfile tool reads it.
function flag(name) {
  return execFileSync(lockfileTool, ["show", `${lockdir}/procmon.${name}`])
    .toString().split(" ")[1];
}

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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
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
    `the table lists the demo processes (${names.join(", ")})`);
  const badge = row(page, "sleep1").locator(".state");
  check(await badge.textContent() === "running" &&
    await badge.evaluate((b) => getComputedStyle(b).backgroundColor) === "rgb(26, 127, 55)",
    "sleep1 is running, in green");
  const cells = await row(page, "sleep1").locator("td").allTextContents();
  check(/MiB$/.test(cells[5]) && /^\d+\.\d\d s$/.test(cells[6]),
    `memory and CPU shown for a running process (${cells[5]}, ${cells[6]})`);

  // Hold the POST back a little, to see the buttons while it is in flight.
  await page.route("**/procs", async (route) => {
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
  check(flag("sleep1") === "0xdeadbeef", "... and the lockfile says stopped");
  check((await page.locator("#message").textContent()).includes("sleep1: stopped"),
    `the result is shown: "${await page.locator("#message").textContent()}"`);
  check(await row(page, "sleep1").locator("button:enabled").count() === 3,
    "the buttons are enabled again");

  await row(page, "sleep1").locator('button[data-action="start"]').click();
  check(await waitState(page, "sleep1", "running"), "clicking start brings it back");
  check(flag("sleep1") === "0", "... and the lockfile says so");

  await row(page, "procmon1").locator('button[data-action="stop"]').click();
  await page.waitForFunction(() =>
    document.getElementById("message").textContent.includes("procmon1:"));
  const error = await page.locator("#message").textContent();
  check(error.includes("is protected (403)") &&
    await page.locator("#message.error").count() === 1,
    `an error is shown as such: "${error}"`);

  const xss = row(page, "xss");
  check(await xss.locator("code").textContent() === "sleep 9 <img src=x onerror=alert(1)>",
    "a command line with markup is shown as text");
  check(await row(page, "<b>bold").count() === 1,
    "a name with markup is shown as text");
  check(await page.locator("tbody img, tbody b").count() === 0,
    "no element was made from a name or command line");

  // The table follows the processes by itself.
  execFileSync(lockfileTool, ["set", `${lockdir}/procmon.sleep2`, "terminate=0xdeadbeef"]);
  execFileSync("kill", ["-9", execFileSync(lockfileTool, ["show", `${lockdir}/procmon.sleep2`])
    .toString().split(" ")[4].trim()]);
  check(await waitState(page, "sleep2", "stopped", 8000),
    "a process stopped elsewhere shows stopped within a refresh");

  await page.screenshot({ path: screenshot, fullPage: true });
  check(dialogs.length === 0, `no script ran from the data (dialogs: ${dialogs.length})`);
  check(errors.length === 0, `no error in the page (${errors.join("; ")})`);
} catch (e) {
  check(false, "the browser test ran to its end: " + e.message);
} finally {
  await browser.close();
}
