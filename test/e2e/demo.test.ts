/** `npm start` runs `tsem demo`: its story must hold (train, seal, benign replay clean, attack caught). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

test('demo --once trains, seals, replays benign traffic cleanly and catches the attack', async () => {
  const r = await runCli('demo', '--once', '--listen', '127.0.0.1:0', '--http', '127.0.0.1:0');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /npx tsem watch --server 127\.0\.0\.1:\d+ --off-contour/);
  assert.match(
    r.out,
    /http:\/\/127\.0\.0\.1:\d+\/console\/ +\(sign in with the token in .*admin\.token\)/
  );
  assert.match(r.out, /settled: yes/);
  assert.match(r.out, /\d+ events, 0 off-contour, forensics 0: the model holds\./);
  assert.match(r.out, /ALERT .* OFF-CONTOUR deny /);
  const caught =
    /caught: (\d+) off-contour event\(s\), (\d+) denied, the task is untrusted; forensics (\d+)\./.exec(
      r.out
    );
  assert.ok(caught, r.out);
  assert.ok(Number(caught[1]) >= 1 && Number(caught[2]) >= 1 && Number(caught[3]) >= 1);
});
