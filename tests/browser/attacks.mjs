// SPDX-License-Identifier: MIT
// What a web page can try against fcgi_proc when the administrator who
// opens it can reach the router on plain HTTP: the router is
// http://router.test:PORT/ (a LAN name: the browser marks nothing sent
// there), its API and dashboard at API (/procs, /cgi-bin/fcgi_proc), the
// attacker's pages on http://evil.test:PORT/attack/.  BARE is the API
// through a wrapper that drops the headers forbidding framing.
//
//   node attacks.mjs PORT API BARE LOCKDIR LOCKFILE_TOOL
//
// Prints "ok - ..." or "FAIL - ..." for each check.
import { chromium } from "playwright-core";
import { check, field, launch } from "./common.mjs";

const [port, api, bareApi, lockdir, lockfileTool] = process.argv.slice(2);
const router = `http://router.test:${port}`;
const evil = `http://evil.test:${port}`;
const pid = (name) => field(lockfileTool, lockdir, name, 4);
const flag = (name) => field(lockfileTool, lockdir, name, 1);
const settle = () => new Promise((r) => setTimeout(r, 1500));

const browser = await launch(chromium);
try {
  const page = await browser.newPage();
  const before = { sleep1: pid("sleep1"), sleep2: pid("sleep2") };
  const untouched = () => pid("sleep1") === before.sleep1 &&
    pid("sleep2") === before.sleep2 && flag("sleep1") === "0" && flag("sleep2") === "0";

  // The router's own page works under its LAN name.
  await page.goto(`${router}${api}`);
  await page.waitForSelector('tbody tr[data-name="sleep1"]');
  check(true, "the dashboard lists under the router's LAN name");

  // <img src=http://router/procs?stop=...>: a GET with no mark at all.
  const seen = [];
  page.on("requestfinished", async (q) => {
    if (q.url().startsWith(router)) seen.push((await q.response()).status());
  });
  page.on("requestfailed", (q) => seen.push(q.failure().errorText));
  await page.goto(`${evil}/attack/img.html`);
  await settle();
  check(untouched(), `an <img> on another site stops nothing (answers: ${seen.join(", ")})`);
  // (Opaque Response Blocking keeps the answers from the page: the log
  // of the server shows them, see browser.sh.)
  check(seen.length === 2, `... the browser did send both (${seen.length})`);

  // The same to the IPv4-mapped loopback address, which browsers do not
  // count as trustworthy: they mark nothing sent there either.
  const mapped = [];
  const toMapped = (q) => q.url().startsWith("http://[::ffff:");
  page.on("requestfinished", async (q) => {
    if (toMapped(q)) mapped.push((await q.response()).status());
  });
  page.on("requestfailed", (q) => { if (toMapped(q)) mapped.push(q.failure().errorText); });
  await page.goto(`${evil}/attack/img-mapped.html`);
  await settle();
  check(untouched() && mapped.length === 1,
    `an <img> to [::ffff:127.0.0.1] stops nothing (answers: ${mapped.join(", ")})`);

  // A form posted to the router: the browser sends Origin.
  await page.goto(`${evil}/attack/form.html`);
  await page.waitForURL(`${router}${api}`);
  const text = await page.locator("body").textContent();
  check(untouched() && text.includes("cross-site request refused"),
    `a form posted from another site is refused: ${text.trim()}`);

  // DNS rebinding: evil.test now resolves to the router; the attacker's
  // page asks the router under the attacker's name, Host and Origin agree.
  const rebound = await page.goto(`${evil}${api}`);
  check(rebound.status() === 403 &&
    (await page.locator("body").textContent()).includes("evil.test") &&
    (await page.locator("body").textContent()).includes("is not served"),
    "after rebinding, the dashboard itself is refused (403)");
  await page.goto(`${evil}/attack/blank.html`);
  const asked = await page.evaluate(async (api) => {
    const list = await fetch(api + "?list");
    const stop = await fetch(api, { method: "POST", body: new URLSearchParams({ stop: "sleep1" }) });
    return [list.status, stop.status];
  }, api);
  check(asked[0] === 403 && asked[1] === 403 && untouched(),
    `... and so are a list and an action from the attacker's page (${asked.join(", ")})`);

  // Framing: the page at opacity 0.01 under the attacker's button.
  await page.goto(`${evil}/attack/frame.html`);
  await settle();
  const frame = page.frames().find((f) => f !== page.mainFrame());
  const rows = frame ? await frame.locator("tbody tr").count().catch(() => 0) : 0;
  check(frame !== undefined && rows === 0,
    `framed by another site, the dashboard does not load (${frame ? frame.url() : "no frame"})`);

  // Framed where the headers were lost: the page refuses by itself.
  await page.goto(`${evil}/attack/frame-bare.html`);
  const bare = page.frames().find((f) => f.url().startsWith(`${router}${bareApi}`));
  await bare.waitForSelector('tbody tr[data-name="sleep1"]');
  check(await bare.locator("#framed").isVisible(),
    "without the headers, the framed page says it is framed");
  const buttons = bare.locator("tbody button");
  const enabled = await buttons.evaluateAll((bs) => bs.filter((b) => !b.disabled).length);
  check(await buttons.count() > 0 && enabled === 0, "... and every button is disabled");
  await bare.locator('tr[data-name="sleep1"] button[data-action="stop"]')
    .click({ force: true });
  await settle();
  check(untouched(), "... so a click that reaches it does nothing");
} catch (e) {
  check(false, "the attacks ran to their end: " + e.message);
} finally {
  await browser.close();
}
