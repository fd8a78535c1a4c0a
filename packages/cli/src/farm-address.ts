// A farm's address without its password on the command line, which every user of the machine
// can read (ps, /proc/PID/cmdline). The password comes from PYBLISH_FARM_PASSWORD instead (a
// process's environment is readable by its own user only), as redis-cli takes REDISCLI_AUTH; it
// is then removed from this process's environment, so plug-ins and the programs they start do
// not inherit it. One given in --farm anyway is masked in the process list at once (Linux; a
// moment at start-up remains), with a warning that says where to put it.

/** Where the CLI takes a redis farm's password from. */
export const FARM_PASSWORD_ENV = 'PYBLISH_FARM_PASSWORD';

/** `--farm`'s value with the password from the environment added; warns about one in the value. */
export function farmAddress(
  value: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): string {
  const password = env[FARM_PASSWORD_ENV];
  delete env[FARM_PASSWORD_ENV];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value; // "local", or not a URL: the farm says what is wrong with it
  }
  if (url.password) {
    const masked = value.replace(`:${url.password}@`, ':***@');
    process.title = process.argv.map((arg) => arg.replace(value, masked)).join(' ');
    warn(
      `pyblish: --farm carries a password, which every user of this machine can read in the process list. ` +
        `Give the farm without it (redis://[USER@]HOST:PORT) and the password in ${FARM_PASSWORD_ENV}.`,
    );
    return value;
  }
  if (!password || !/^rediss?:$/.test(url.protocol)) return value;
  url.password = password;
  return url.href;
}
