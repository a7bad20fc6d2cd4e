/**
 * The commands that register and run a new gateway with a registration token, exactly as the
 * README's "Gateways in connected mode" gives them (from a build of Portico), filled in with the
 * token, this control plane's address and the gateway's name: register into ./<name>, then run a
 * replica from that directory (start more the same way).
 */

/** Gateway names the control plane accepts: never in need of shell quoting. */
export const GATEWAY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const GATEWAY_NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

/** A word for a POSIX shell: as is when it is plain, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'"'"'`)}'`;
}

export function registrationCommands(token: string, controlPlaneUrl: string, name: string): string[] {
  const [t, url, n] = [token, controlPlaneUrl, name].map(shellWord);
  return [
    `node dist/apps/cli/src/main.js gateway register --token ${t} --control-plane ${url} --name ${n} --out ./${n}`,
    `node dist/apps/gateway/src/main.js --dir ./${n}`,
  ];
}
