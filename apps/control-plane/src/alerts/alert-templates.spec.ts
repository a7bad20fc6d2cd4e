import {
  conditionWords,
  DEFAULT_MESSAGE,
  DEFAULT_SUBJECT,
  periodWords,
  render,
  renderSubject,
  templateVariables,
} from './alert-templates.js';

const alert = {
  name: 'busy',
  severity: 'critical',
  metric: 'request-count' as const,
  operator: 'aboveOrEquals' as const,
  threshold: 100,
  periodUnit: 'MINUTES',
  periodCount: 5,
  repeat: 2,
  responseCodes: [],
  slowerThanMs: null,
};
const facts = {
  alert,
  api: { name: 'orders' },
  environmentName: 'Sandbox',
  value: 120,
  at: new Date('2026-01-02T03:04:05.000Z'),
  dashboardLink: 'https://portico.example.com/dashboard',
  apiLink: 'https://portico.example.com/api',
};

describe('alert templates', () => {
  it('renders the default subject and message anypoint-cli-v4 sends', () => {
    const vars = templateVariables(facts);
    expect(renderSubject(DEFAULT_SUBJECT, vars)).toBe('Critical: orders a request count');
    expect(render(DEFAULT_MESSAGE, vars)).toBe(
      'Hello,\nYou are receiving this alert because:\n The API orders has a request count of 120 at 2026-01-02T03:04:05.000Z.\n' +
        'The API has reached the threshold based on a request count is above or equal to 100 for 2 consecutive periods of 5 minutes.\n\n' +
        'Environment: Sandbox\nhttps://portico.example.com/dashboard\nhttps://portico.example.com/api',
    );
  });

  it('leaves unknown variables as written and keeps a subject on one line', () => {
    expect(render('${api} ${nope} $api', templateVariables(facts))).toBe('orders ${nope} $api');
    expect(renderSubject('${api}', templateVariables({ ...facts, api: { name: 'two\r\nlines' } }))).toBe('two lines');
  });

  it.each([
    [{ metric: 'response-code' as const, responseCodes: [500, 503] }, 'a count of responses with code 500, 503'],
    [{ metric: 'policy-violation' as const }, 'a policy violation count'],
    [{ metric: 'response-time' as const }, 'an average response time (ms)'],
    [{ metric: 'response-time' as const, slowerThanMs: 750 }, 'a count of responses slower than 750 ms'],
  ])('names the condition of %j', (fields, words) => {
    expect(conditionWords({ ...alert, ...fields })).toBe(words);
  });

  it('names one period, or several consecutive ones', () => {
    expect(periodWords({ ...alert, repeat: 1, periodCount: 1, periodUnit: 'HOURS' })).toBe('1 period of 1 hour');
    expect(periodWords({ ...alert, repeat: 3, periodCount: 2, periodUnit: 'DAYS' })).toBe('3 consecutive periods of 2 days');
  });

  it('shows a missing average as no data and averages with one decimal', () => {
    expect(templateVariables({ ...facts, value: null }).value).toBe('no data');
    expect(templateVariables({ ...facts, value: 258.21 }).value).toBe('258.2');
  });
});
