/** Semantic-version helpers for asset versions (`x.y.z` with an optional `-prerelease`). */

function parse(version: string): { core: number[]; pre: string[] } {
  const [core = '', ...rest] = version.split('-');
  const pre = rest.join('-');
  return { core: core.split('.').map(Number), pre: pre ? pre.split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const numA = /^\d+$/.test(a);
  const numB = /^\d+$/.test(b);
  if (numA && numB) return Number(a) - Number(b);
  if (numA !== numB) return numA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: negative when `a` is older than `b`; a prerelease is older than its release. */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const diff = (pa.core[i] ?? 0) - (pb.core[i] ?? 0);
    if (diff) return diff;
  }
  if (!pa.pre.length || !pb.pre.length) return pb.pre.length - pa.pre.length;
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const diff = compareIdentifiers(x, y);
    if (diff) return diff;
  }
  return 0;
}

/** `1.2` for `1.2.3-rc.1`. */
export function minorVersion(version: string): string {
  return version.split('-')[0]!.split('.').slice(0, 2).join('.');
}
