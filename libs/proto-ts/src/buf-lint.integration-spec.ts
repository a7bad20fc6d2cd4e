import { spawnSync } from 'node:child_process';
import path from 'node:path';

const protoDir = path.resolve(import.meta.dirname, '../../../proto');

describe('proto/', () => {
  it('is buf lint clean', () => {
    const result = spawnSync('npx', ['buf', 'lint'], { cwd: protoDir, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('is not changed incompatibly against the committed main branch', () => {
    const repo = path.resolve(protoDir, '..');
    const main = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'main:proto/buf.yaml'], { cwd: repo });
    if (main.status !== 0) return; // proto/ is not on main yet: nothing to compare with
    const result = spawnSync('npx', ['buf', 'breaking', '--against', '../.git#branch=main,subdir=proto'], {
      cwd: protoDir,
      encoding: 'utf8',
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
