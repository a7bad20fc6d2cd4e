/**
 * Drives the console's Protect MCP server wizard (seed 000) from API Administration to its
 * review, for specs that test what follows; seed-000-walk.e2e-spec.ts walks it step by step.
 */
import type { Page } from 'playwright-core';

export interface WizardChoices {
  gateway: string;
  /** a new MCP server registered by this name */
  newServer: string;
  port: number;
  basePath: string;
  upstreamUrl: string;
}

export async function fillProtectMcpServer(page: Page, choices: WizardChoices): Promise<void> {
  await page.getByRole('link', { name: 'API Administration' }).click();
  await page.getByText('Add', { exact: true }).click();
  await page.getByRole('link', { name: 'Protect MCP server' }).click();
  await page.getByRole('radio', { name: new RegExp(choices.gateway) }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: 'Register a new MCP server' }).check();
  await page.getByLabel('MCP server name').fill(choices.newServer);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Port').fill(String(choices.port));
  await page.getByLabel('Base path').fill(choices.basePath);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('MCP server upstream URL').fill(choices.upstreamUrl);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('dl.review').waitFor();
}
