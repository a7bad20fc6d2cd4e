import { PII_CATEGORIES, PiiScanner, redact } from './detectors.js';

const all = new PiiScanner(PII_CATEGORIES);
const categories = (text: string, scanner = all) => scanner.scan(text).map((f) => [f.category, text.slice(f.start, f.end)]);

describe('PII detectors', () => {
  it.each([
    ['mail User.Name+tag@example.co.uk now', 'Email', 'User.Name+tag@example.co.uk'],
    ['card 4111 1111 1111 1111.', 'Credit Card', '4111 1111 1111 1111'],
    ['card 5500-0000-0000-0004', 'Credit Card', '5500-0000-0000-0004'],
    ['card 378282246310005', 'Credit Card', '378282246310005'],
    ['ssn 123-45-6789', 'US SSN', '123-45-6789'],
    ['nino AB 12 34 56 C', 'UK NINO', 'AB 12 34 56 C'],
    ['iban DE89 3704 0044 0532 0130 00', 'IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['iban GB82WEST12345698765432', 'IBAN', 'GB82WEST12345698765432'],
    ['call (123) 456-7890', 'Phone Number', '(123) 456-7890'],
    ['call +1 123 456 7890', 'Phone Number', '+1 123 456 7890'],
    ['call 123.456.7890', 'Phone Number', '123.456.7890'],
    ['call +44 20 7946 0958', 'Phone Number', '+44 20 7946 0958'],
    ['aws AKIAIOSFODNN7EXAMPLE', 'API Key', 'AKIAIOSFODNN7EXAMPLE'],
    ['gh ghp_' + 'a'.repeat(36), 'API Key', 'ghp_' + 'a'.repeat(36)],
    ['stripe sk_live_' + 'b'.repeat(24), 'API Key', 'sk_live_' + 'b'.repeat(24)],
    ['slack xoxb-1234567890-abcdefghij', 'API Key', 'xoxb-1234567890-abcdefghij'],
    ['google AIza' + 'c'.repeat(35), 'API Key', 'AIza' + 'c'.repeat(35)],
    ['anthropic sk-ant-api03-' + 'd'.repeat(40), 'API Key', 'sk-ant-api03-' + 'd'.repeat(40)],
    ['portico ptk_' + 'e'.repeat(43), 'API Key', 'ptk_' + 'e'.repeat(43)],
    [
      'pem -----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY----- done',
      'API Key',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----',
    ],
    [
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlMTIz',
      'Access Token',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlMTIz',
    ],
    ['header Bearer abcdefghijklmnopqrstuvwxyz', 'Access Token', 'Bearer abcdefghijklmnopqrstuvwxyz'],
  ])('finds %s', (text, category, value) => {
    expect(categories(text)).toEqual([[category, value]]);
  });

  it.each([
    'order 4111 1111 1111 1112 (fails Luhn)',
    'iban DE89 3704 0044 0532 0130 01 (fails mod 97)',
    'ssn 000-12-3456 and 666-12-3456 and 123-00-4567',
    'version 1.2.3, port 8080, year 2026, id 12345',
    'an @ sign alone, user@localhost',
    'sk-short',
  ])('finds nothing in %s', (text) => {
    expect(categories(text)).toEqual([]);
  });

  it('finds only the configured categories, most specific first, and custom patterns (RE2)', () => {
    const scanner = new PiiScanner(['Email', 'Phone Number'], [{ name: 'Employee ID', pattern: 'EMP-\\d{6}' }]);
    expect(categories('a@b.io 4111 1111 1111 1111 EMP-123456 (123) 456-7890', scanner)).toEqual([
      ['Email', 'a@b.io'],
      ['Employee ID', 'EMP-123456'],
      ['Phone Number', '(123) 456-7890'],
    ]);
    // A card number is not also a phone number.
    expect(categories('4111111111111111')).toEqual([['Credit Card', '4111111111111111']]);
  });

  it('redacts each finding by category', () => {
    const text = 'mail a@b.io or call 123-456-7890.';
    expect(redact(text, all.scan(text))).toBe('mail [REDACTED:Email] or call [REDACTED:Phone Number].');
  });
});
