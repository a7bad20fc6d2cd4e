/**
 * Sensitive-data detectors of the DLP guardrail (mcp-pii-detector): where a text holds e-mail
 * addresses, card numbers, national ids, IBANs, phone numbers, API keys and tokens, or what a
 * custom pattern names.
 *
 * - Built-in patterns are V8 regular expressions written without nested or overlapping
 *   quantifiers (each runs in time linear in the text); a checksum confirms what has one (Luhn
 *   for cards, ISO 7064 mod 97 for IBANs) so order numbers are not taken for cards. Custom patterns
 *   come from operators, so they run on RE2 (linear-regex.ts), whatever they say.
 * - Categories are tried most specific first (a key or a card before a phone number) and a
 *   finding never overlaps an earlier one.
 * Detection is best effort: it narrows exposure and is no proof that a text is clean.
 */
import { compileSearch } from '#portico/policy-catalog';

/** A category of sensitive data; the template's `entities` names these. */
export const PII_CATEGORIES = [
  'Email',
  'Credit Card',
  'US SSN',
  'UK NINO',
  'IBAN',
  'Phone Number',
  'API Key',
  'Access Token',
] as const;

export type PiiCategory = (typeof PII_CATEGORIES)[number];

/** Where a category (or custom pattern) was found in a text: [start, end). */
export interface Finding {
  readonly category: string;
  readonly start: number;
  readonly end: number;
}

interface Detector {
  readonly category: string;
  /** Cheap test a text must pass before the pattern runs. */
  readonly hint?: RegExp;
  find(text: string, found: (start: number, end: number) => void): void;
}

const DIGIT = /\d/;

/** A detector of a global V8 pattern, each match confirmed by `valid` when given. */
function patternDetector(category: string, pattern: RegExp, hint?: RegExp, valid?: (match: string) => boolean): Detector {
  return {
    category,
    hint,
    find(text, found) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
        if (!valid || valid(match[0])) found(match.index, match.index + match[0].length);
      }
    },
  };
}

/** Luhn's checksum over the digits of `text`, 13 to 19 of them. */
function luhn(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616 IBAN check: country, check digits, mod 97 of the rearranged number = 1. */
function ibanChecksum(text: string): boolean {
  const iban = text.replace(/ /g, '');
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** The built-in detectors, most specific first. */
const BUILT_IN: Readonly<Record<PiiCategory, Detector>> = {
  'API Key': patternDetector(
    'API Key',
    new RegExp(
      [
        '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b', // AWS access key id
        '\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b', // GitHub tokens
        '\\bgithub_pat_[A-Za-z0-9_]{22,255}\\b',
        '\\bxox[abposr]-[A-Za-z0-9-]{10,250}', // Slack
        '\\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,247}\\b', // Stripe
        '\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])', // Google
        '\\bsk-[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic (sk-ant-…)
        '\\bptk_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])', // Portico API keys
        '-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[^-]*-----END (?:[A-Z]+ )?PRIVATE KEY-----',
      ].join('|'),
      'g',
    ),
  ),
  'Access Token': patternDetector(
    'Access Token',
    /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}|\bBearer [A-Za-z0-9._~+/-]{16,}=*/g,
  ),
  'Credit Card': patternDetector('Credit Card', /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, DIGIT, luhn),
  IBAN: patternDetector('IBAN', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g, DIGIT, ibanChecksum),
  'US SSN': patternDetector('US SSN', /\b(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}\b/g, DIGIT),
  'UK NINO': patternDetector(
    'UK NINO',
    /\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g,
    DIGIT,
  ),
  Email: patternDetector(
    'Email',
    /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g,
    /@/,
  ),
  'Phone Number': patternDetector(
    'Phone Number',
    /(?<![\w+])(?:(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}|\+[2-9]\d{0,2}(?:[ .-]?\d{2,4}){2,4})(?!\w)/g,
    DIGIT,
  ),
};

// The order detectors run in: most specific first.
const PRIORITY: readonly PiiCategory[] = [
  'API Key',
  'Access Token',
  'Credit Card',
  'IBAN',
  'US SSN',
  'UK NINO',
  'Email',
  'Phone Number',
];

/** A custom pattern of the configuration. */
export interface CustomPattern {
  name: string;
  pattern: string;
}

/** Finds the configured categories and custom patterns in texts. */
export class PiiScanner {
  private readonly detectors: readonly Detector[];

  constructor(categories: readonly PiiCategory[], custom: readonly CustomPattern[] = []) {
    const wanted = new Set(categories);
    this.detectors = [
      ...PRIORITY.filter((category) => wanted.has(category)).map((category) => BUILT_IN[category]),
      ...custom.map(({ name, pattern }): Detector => {
        const search = compileSearch(pattern);
        return { category: name, find: (text, found) => search.forEach(text, found) };
      }),
    ];
  }

  /** The findings in `text`, in text order, none overlapping. */
  scan(text: string): Finding[] {
    const findings: Finding[] = [];
    for (const detector of this.detectors) {
      if (detector.hint && !detector.hint.test(text)) continue;
      detector.find(text, (start, end) => {
        if (end > start && !findings.some((f) => start < f.end && f.start < end)) {
          findings.push({ category: detector.category, start, end });
        }
      });
    }
    return findings.sort((a, b) => a.start - b.start);
  }
}

/** `text` with every finding replaced by `[REDACTED:<category>]`. */
export function redact(text: string, findings: readonly Finding[]): string {
  let out = '';
  let at = 0;
  for (const finding of findings) {
    out += `${text.slice(at, finding.start)}[REDACTED:${finding.category}]`;
    at = finding.end;
  }
  return out + text.slice(at);
}
