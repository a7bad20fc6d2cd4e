import { DomainError } from '../common/domain-error.js';
import { HashingGate } from './hashing-gate.js';

/** A check the test finishes when it wants, recording when it started. */
function checks() {
  const started: string[] = [];
  const finish = new Map<string, (ok: boolean) => void>();
  const check = (name: string) => () =>
    new Promise<boolean>((resolve, reject) => {
      started.push(name);
      finish.set(name, (ok) => (ok ? resolve(true) : reject(new Error(`${name} failed`))));
    });
  return { started, finish: (name: string, ok = true) => finish.get(name)!(ok), check };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HashingGate', () => {
  it('runs at most `concurrency` checks at once and the waiting ones in arrival order', async () => {
    const gate = new HashingGate(2, 10);
    const { started, finish, check } = checks();
    const results = ['a', 'b', 'c', 'd'].map((name) => gate.run(check(name)));
    await settle();
    expect(started).toEqual(['a', 'b']);
    finish('b');
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    finish('a');
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    finish('c');
    finish('d');
    await expect(Promise.all(results)).resolves.toEqual([true, true, true, true]);
  });

  it('refuses a check at once with LOGIN_BUSY when every slot is taken and the queue is full', async () => {
    const gate = new HashingGate(1, 1);
    const { started, finish, check } = checks();
    const running = gate.run(check('a'));
    const queued = gate.run(check('b'));
    const refused = gate.run(check('c'));
    await expect(refused).rejects.toEqual(
      new DomainError('LOGIN_BUSY', 'Too many logins are being checked at once; retry shortly'),
    );
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    finish('a');
    await settle();
    finish('b');
    await Promise.all([running, queued]);
    expect(started).toEqual(['a', 'b']);
  });

  it('frees the slot of a check that throws', async () => {
    const gate = new HashingGate(1, 0);
    const { finish, check } = checks();
    const failing = gate.run(check('a'));
    await settle();
    finish('a', false);
    await expect(failing).rejects.toThrow('a failed');
    const next = gate.run(check('b'));
    await settle();
    finish('b');
    await expect(next).resolves.toBe(true);
  });
});
