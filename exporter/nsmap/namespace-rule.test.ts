import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { test } from 'node:test';
import {
  cgroupPath,
  containerId,
  createNamespaceMapper,
  nsLinkId,
  parseNamespaceRule,
} from './namespace-rule.js';

const DOCKER = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// BEGIN TEST DATA: /proc/PID/cgroup contents (hand-written in the formats of cgroup v2 and v1)
const CGROUPS: Record<string, { text: string; path: string | undefined; id: string | undefined }> =
  {
    'v2-docker-scope': {
      text: `0::/system.slice/docker-${DOCKER}.scope\n`,
      path: `/system.slice/docker-${DOCKER}.scope`,
      id: DOCKER,
    },
    'v2-kubepods-containerd': {
      text: `0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-${DOCKER}.scope\n`,
      path: `/kubepods.slice/kubepods-burstable.slice/cri-containerd-${DOCKER}.scope`,
      id: DOCKER,
    },
    'v1-docker': {
      text: `12:pids:/docker/${DOCKER}\n11:memory:/docker/${DOCKER}\n`,
      path: `/docker/${DOCKER}`,
      id: DOCKER,
    },
    'v2-user-session': {
      text: '0::/user.slice/user-1000.slice/session-3.scope\n',
      path: '/user.slice/user-1000.slice/session-3.scope',
      id: undefined,
    },
    'v2-root': { text: '0::/\n', path: '/', id: undefined },
    empty: { text: '', path: undefined, id: undefined },
  };
// END TEST DATA

for (const [name, c] of Object.entries(CGROUPS)) {
  test(`cgroup path and container id: ${name}`, () => {
    const p = cgroupPath(c.text);
    assert.equal(p, c.path);
    assert.equal(p === undefined ? undefined : containerId(p), c.id);
  });
}

test('namespace links and rule parsing', () => {
  assert.equal(nsLinkId('mnt:[4026531841]'), 'mnt:4026531841');
  assert.equal(nsLinkId('garbage'), undefined);
  assert.deepEqual(parseNamespaceRule('host'), { kind: 'host', name: undefined });
  assert.deepEqual(parseNamespaceRule('host:edge'), { kind: 'host', name: 'edge' });
  assert.deepEqual(parseNamespaceRule('linux-ns:mnt+pid'), {
    kind: 'linux-ns',
    namespaces: ['mnt', 'pid'],
  });
  assert.deepEqual(parseNamespaceRule('cgroup'), { kind: 'cgroup' });
  assert.equal(parseNamespaceRule('linux-ns:net'), undefined);
  assert.equal(parseNamespaceRule('nope'), undefined);
  assert.throws(() => createNamespaceMapper({ kind: 'linux-ns', namespaces: [] }), RangeError);
});

test('mappers resolve a live pid and name exited ones unknown', () => {
  assert.equal(createNamespaceMapper({ kind: 'host', name: 'edge' })(process.pid), 'edge');
  const ns = createNamespaceMapper({ kind: 'linux-ns', namespaces: ['mnt', 'user'] });
  const want = ['mnt', 'user']
    .map((k) => nsLinkId(readlinkSync(`/proc/${process.pid}/ns/${k}`)))
    .join(',');
  assert.equal(ns(process.pid), want);
  assert.equal(ns(0x3fffffff), 'unknown');
  const cg = createNamespaceMapper({ kind: 'cgroup', fallback: 'host' });
  assert.equal(typeof cg(process.pid), 'string');
  assert.equal(cg(0x3fffffff), 'unknown');
});
