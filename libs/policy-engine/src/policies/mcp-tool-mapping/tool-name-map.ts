/**
 * The names of `mcp-tool-mapping`: upstream (source) name → the name clients see, and back.
 *
 * A `literal` mapping names one tool. A `regex` mapping matches whole source names (RE2) and
 * builds the client name from `mappedToolName` with `$1`…`$9` for its capturing groups. Going
 * back from a client name is exact for literal mappings and for regex mappings of the form
 * literal (group) literal … (`jira_(.*)` → `ticket_$1`): the groups are read off the client name
 * and put back between the literals, and the result must map forward to the same name. Other
 * regex mappings are not invertible; their client names are learned from the tools/list answers
 * the gateway renames (`learn`), and the compile warns that a call of a name not yet listed
 * through this gateway process is unknown.
 */
import { compileFullMatchGroups, type FullMatchGroups } from '#portico/policy-catalog';
import { memoized } from '../../name-memo.js';

export interface ToolMappingConfig {
  sourceToolName: string;
  mappedToolName?: string;
  mappedDescription?: string;
  mappingType?: 'literal' | 'regex';
  /** false hides the tool (seed 003's tool toggles). */
  enabled?: boolean;
}

/** What a mapping makes of one source tool. */
export interface Mapped {
  readonly name: string;
  readonly description: string | undefined;
  readonly enabled: boolean;
}

interface Mapping {
  /** The client name of `source`, or undefined when this mapping does not match it. */
  forward(source: string): Mapped | undefined;
  /** The source name this mapping gives `client` under, if it can tell. */
  backward(client: string): string | undefined;
}

const REFERENCE = /\$(\d)/g;

function substitute(template: string, groups: readonly string[]): string {
  return template.replace(REFERENCE, (_, n: string) => groups[Number(n)] ?? '');
}

function escapeRe2(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * `pattern` as literals around top-level capturing groups, when it is only that (escaped
 * metacharacters count as literals); undefined otherwise.
 */
function literalsAroundGroups(pattern: string): string[] | undefined {
  const body = pattern.replace(/^\^/, '').replace(/(?<!\\)\$$/, '');
  const literals: string[] = [''];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '\\') {
      const next = body[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined; // \d, \w, \1 …: not a literal
      literals[literals.length - 1] += next;
      i += 2;
    } else if (c === '(') {
      if (body[i + 1] === '?') return undefined;
      let depth = 0;
      for (; i < body.length; i++) {
        if (body[i] === '\\') i++;
        else if (body[i] === '(') depth++;
        else if (body[i] === ')' && --depth === 0) break;
      }
      if (depth !== 0) return undefined;
      literals.push('');
      i++;
    } else if ('^$.|?*+)[]{}'.includes(c)) {
      return undefined;
    } else {
      literals[literals.length - 1] += c;
      i++;
    }
  }
  return literals;
}

function literalMapping(config: ToolMappingConfig): Mapping {
  const mapped: Mapped = {
    name: config.mappedToolName ?? config.sourceToolName,
    description: config.mappedDescription,
    enabled: config.enabled !== false,
  };
  return {
    forward: (source) => (source === config.sourceToolName ? mapped : undefined),
    backward: (client) => (client === mapped.name ? config.sourceToolName : undefined),
  };
}

/** A regex mapping, and whether client names can be mapped back without having been listed. */
function regexMapping(config: ToolMappingConfig): { mapping: Mapping; invertible: boolean } {
  const source: FullMatchGroups = compileFullMatchGroups(config.sourceToolName);
  const template = config.mappedToolName ?? '$0';
  const enabled = config.enabled !== false;
  const forward = (name: string): Mapped | undefined => {
    const groups = source.exec(name);
    return groups && { name: substitute(template, groups), description: config.mappedDescription, enabled };
  };
  const literals = literalsAroundGroups(config.sourceToolName);
  const references = [...template.matchAll(REFERENCE)].map((m) => Number(m[1]));
  const groupCount = literals ? literals.length - 1 : 0;
  const covered =
    literals !== undefined && Array.from({ length: groupCount }, (_, g) => references.includes(g + 1)).every(Boolean);
  if (!literals || !covered || references.some((n) => n === 0 || n > groupCount)) {
    return { mapping: { forward, backward: () => undefined }, invertible: false };
  }
  // The client name as a pattern: the template's literal text, a group per reference.
  const inverse = compileFullMatchGroups(
    template
      .split(REFERENCE)
      .map((part, i) => (i % 2 === 0 ? escapeRe2(part) : '(.*)'))
      .join(''),
  );
  const backward = (client: string): string | undefined => {
    const values = inverse.exec(client);
    if (!values) return undefined;
    const groups: string[] = [];
    references.forEach((n, i) => (groups[n] ??= values[i + 1]!));
    const candidate = literals.map((literal, g) => (g === 0 ? literal : groups[g]! + literal)).join('');
    return forward(candidate)?.name === client ? candidate : undefined;
  };
  return { mapping: { forward, backward }, invertible: true };
}

const LEARNED_LIMIT = 10_000;

export class ToolNameMap {
  private readonly mappings: Mapping[] = [];
  readonly warnings: string[] = [];

  /** `learned`: client → source names seen in tools/list answers (kept across pushes of the same mappings). */
  constructor(
    configs: readonly ToolMappingConfig[],
    private readonly learned: Map<string, string>,
  ) {
    configs.forEach((config, index) => {
      if (config.mappingType !== 'regex') {
        this.mappings.push(literalMapping(config));
        return;
      }
      const { mapping, invertible } = regexMapping(config);
      this.mappings.push(mapping);
      if (!invertible) {
        this.warnings.push(
          `toolMappings[${index}]: ${config.sourceToolName} is not literals around groups each used in mappedToolName, so a call of a mapped name is resolved only once a tools/list answer showed it through this gateway process`,
        );
      }
    });
  }

  /** What the first matching mapping makes of source tool `name`; undefined when none matches. */
  readonly forward = memoized((name: string): Mapped | undefined => {
    for (const mapping of this.mappings) {
      const mapped = mapping.forward(name);
      if (mapped) return mapped;
    }
    return undefined;
  });

  /**
   * The source name a client's call of `name` goes to: the tool it maps back to, `name` itself
   * when no mapping touches it, undefined when it names no exposed tool (a renamed tool's old
   * name, a disabled tool). Memoised until a new name is learned.
   */
  source = memoized((name: string) => this.resolve(name));

  /** Remembers that clients see `source` as `client` (a tools/list answer renamed it). */
  learn(client: string, source: string): void {
    if (this.learned.get(client) === source) return;
    if (this.learned.size >= LEARNED_LIMIT) this.learned.clear();
    this.learned.set(client, source);
    this.source = memoized((name: string) => this.resolve(name));
  }

  private resolve(name: string): string | undefined {
    const exposedAs = (source: string | undefined) => {
      const mapped = source === undefined ? undefined : this.forward(source);
      return mapped !== undefined && mapped.enabled && mapped.name === name;
    };
    for (const mapping of this.mappings) {
      const source = mapping.backward(name);
      if (exposedAs(source)) return source;
    }
    const learned = this.learned.get(name);
    if (exposedAs(learned)) return learned;
    const own = this.forward(name);
    return own === undefined || exposedAs(name) ? name : undefined;
  }
}
