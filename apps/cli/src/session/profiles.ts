/**
 * The profile store: `profiles.json` in the config directory (configDir), holding per profile the
 * control plane, the organization, the token `portico login` obtained and when it expires. A
 * secret (password, client secret) is never stored, only the token issued for it.
 *
 * The directory is created mode 0700, the file written mode 0600 through a temporary file renamed
 * over it, so a reader never sees half a file. A file that is not valid JSON of this shape is a
 * CliError (EXIT.failed) naming it; it is never overwritten.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';

const FILE = 'profiles.json';

const profileSchema = z.strictObject({
  controlPlane: z.string().min(1),
  organizationId: z.string().min(1),
  token: z.string().min(1),
  /** ISO 8601; null when the control plane did not say */
  expiresAt: z.iso.datetime().nullable(),
  principal: z.strictObject({ kind: z.enum(['user', 'client']), name: z.string().min(1) }),
});

const fileSchema = z.strictObject({ profiles: z.record(z.string(), profileSchema) });

export type Profile = z.infer<typeof profileSchema>;

/** Profile names are JSON keys and shell words: no `__proto__`, no spaces. */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `$PORTICO_CONFIG_DIR`, else `$XDG_CONFIG_HOME/portico`, else `~/.config/portico`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PORTICO_CONFIG_DIR) return path.resolve(env.PORTICO_CONFIG_DIR);
  if (env.XDG_CONFIG_HOME) return path.resolve(env.XDG_CONFIG_HOME, 'portico');
  return path.join(env.HOME || homedir(), '.config', 'portico');
}

export function profilesFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), FILE);
}

/** Throws a UsageError unless `name` can name a profile. */
export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(
      `profile name ${JSON.stringify(name)} is not valid: letters, digits, '.', '_' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

async function readAll(file: string): Promise<Record<string, Profile>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(EXIT.failed, `the profile file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `$.${issue.path.join('.')}: ` : '';
    throw new CliError(EXIT.failed, `the profile file ${file} is malformed: ${where}${issue.message}`);
  }
  return parsed.data.profiles;
}

async function writeAll(file: string, profiles: Record<string, Profile>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify({ profiles }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The profile `name`, or null when there is none (or no file). */
export async function readProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<Profile | null> {
  checkProfileName(name);
  const profiles = await readAll(profilesFile(env));
  return (Object.hasOwn(profiles, name) && profiles[name]) || null;
}

/** Adds or replaces the profile `name`; the other profiles stay as they are. */
export async function saveProfile(name: string, profile: Profile, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  checkProfileName(name);
  const file = profilesFile(env);
  const profiles = await readAll(file);
  await writeAll(file, { ...profiles, [name]: profileSchema.parse(profile) });
}

/** Removes the profile `name`; resolves to it, or to null when there was none (nothing written). */
export async function removeProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<Profile | null> {
  checkProfileName(name);
  const file = profilesFile(env);
  const profiles = await readAll(file);
  const removed = Object.hasOwn(profiles, name) && profiles[name];
  if (!removed) return null;
  const { [name]: _removed, ...rest } = profiles;
  await writeAll(file, rest);
  return removed;
}
