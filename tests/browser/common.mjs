// SPDX-License-Identifier: MIT
// What the browser tests share: their output, Chromium as this machine
// runs it, and the lockfile tool.
import { execFileSync } from "node:child_process";

export function check(ok, what) {
  console.log((ok ? "ok - " : "FAIL - ") + what);
}

// Field n (0 pid, 1 terminate, 2 runcount, 3 starttime, 4 holder) of
// procmon.NAME, as tests/lockfile.c reads it.
export function field(tool, lockdir, name, n) {
  return execFileSync(tool, ["show", `${lockdir}/procmon.${name}`])
    .toString().trim().split(" ")[n];
}

// LAN names for the browser: the router and an attacker's site, both on
// this machine, neither one a name browsers trust as local.
export function launch(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
      "--host-resolver-rules=MAP router.test 127.0.0.1, MAP evil.test 127.0.0.1"],
  });
}
