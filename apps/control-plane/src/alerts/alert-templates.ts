/**
 * The text of alert notifications. Subject and message are templates with `${name}` variables,
 * as in Anypoint (the defaults are the ones anypoint-cli-v4 sends): severity, api, alert,
 * condition, value, timestamp, operator, threshold, period, environment, dashboardLink, apiLink.
 * A variable Portico does not know is left as written. A resolution is told with the alert's
 * subject after `Resolved: ` and a message of its own.
 */
import type { AlertMetric, AlertOperator } from './alert-definition.js';

export const DEFAULT_SUBJECT = '${severity}: ${api} ${condition}';
export const DEFAULT_MESSAGE =
  'Hello,\nYou are receiving this alert because:\n The API ${api} has ${condition} of ${value} at ${timestamp}.\n' +
  'The API has reached the threshold based on ${condition} is ${operator} ${threshold} for ${period}.\n\n' +
  'Environment: ${environment}\n${dashboardLink}\n${apiLink}';
export const RESOLVED_MESSAGE =
  'Hello,\nThe alert ${alert} is resolved:\n The API ${api} has ${condition} of ${value} at ${timestamp}, ' +
  'no longer ${operator} ${threshold} for ${period}.\n\nEnvironment: ${environment}\n${dashboardLink}\n${apiLink}';

/** What a notification describes. */
export interface AlertFacts {
  alert: {
    name: string;
    severity: string;
    metric: AlertMetric;
    operator: AlertOperator;
    threshold: number;
    periodUnit: string;
    periodCount: number;
    repeat: number;
    responseCodes: readonly number[];
    slowerThanMs: number | null;
  };
  api: { name: string };
  environmentName: string;
  /** the metric of the latest period; null: no request to average */
  value: number | null;
  at: Date;
  dashboardLink: string;
  apiLink: string;
}

const OPERATOR_WORDS: Record<AlertOperator, string> = {
  above: 'above',
  aboveOrEquals: 'above or equal to',
  below: 'below',
  belowOrEquals: 'below or equal to',
  equal: 'equal to',
};

/** What the metric is, in words (`${condition}`). */
export function conditionWords(alert: AlertFacts['alert']): string {
  switch (alert.metric) {
    case 'request-count':
      return 'a request count';
    case 'response-code':
      return `a count of responses with code ${alert.responseCodes.join(', ')}`;
    case 'policy-violation':
      return 'a policy violation count';
    case 'response-time':
      return alert.slowerThanMs === null
        ? 'an average response time (ms)'
        : `a count of responses slower than ${alert.slowerThanMs} ms`;
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `2 consecutive periods of 5 minutes` (`${period}`). */
export function periodWords(alert: AlertFacts['alert']): string {
  const unit = alert.periodUnit.toLowerCase().replace(/s$/, '');
  const length = plural(alert.periodCount, unit);
  return alert.repeat === 1 ? `1 period of ${length}` : `${alert.repeat} consecutive periods of ${length}`;
}

function formatValue(value: number | null): string {
  if (value === null) return 'no data';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The value of each variable for `facts`. */
export function templateVariables(facts: AlertFacts): Record<string, string> {
  const severity = facts.alert.severity;
  return {
    severity: severity.charAt(0).toUpperCase() + severity.slice(1),
    api: facts.api.name,
    alert: facts.alert.name,
    condition: conditionWords(facts.alert),
    value: formatValue(facts.value),
    timestamp: facts.at.toISOString(),
    operator: OPERATOR_WORDS[facts.alert.operator],
    threshold: String(facts.alert.threshold),
    period: periodWords(facts.alert),
    environment: facts.environmentName,
    dashboardLink: facts.dashboardLink,
    apiLink: facts.apiLink,
  };
}

/** `template` with each known `${name}` replaced. */
export function render(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(variables, name) ? variables[name]! : whole));
}

/** A rendered subject on one line: a variable's line breaks (an API name) become spaces. */
export function renderSubject(template: string, variables: Readonly<Record<string, string>>): string {
  return render(template, variables).replace(/[\r\n]+/g, ' ');
}
