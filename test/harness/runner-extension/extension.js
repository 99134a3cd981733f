// Test-only extension, installed next to the product in the harness's extensions folder. When the harness names a
// suite (OTA_INTEGRATION_INDEX), it runs it inside this extension host, where `vscode` is the real API, and writes
// {ok, error} to OTA_INTEGRATION_DONE. The suite itself writes its per-test results to OTA_TEST_STATS.
'use strict';
const fs = require('node:fs');

function activate() {
  const index = process.env.OTA_INTEGRATION_INDEX;
  const done = process.env.OTA_INTEGRATION_DONE;
  if (!index || !done) return;
  const finish = (result) => fs.writeFileSync(done, JSON.stringify(result));
  Promise.resolve()
    .then(() => require(index).run())
    .then(
      () => finish({ ok: true }),
      (e) => finish({ ok: false, error: e && e.stack ? e.stack : String(e) }),
    );
}

module.exports = { activate, deactivate() {} };
