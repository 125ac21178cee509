/**
 * A small flag parser shared by subcommands: `--name value`, `--name=value`, boolean flags, and
 * positionals. Unknown flags are errors that list the known ones.
 */
export interface FlagSpec { [name: string]: 'string' | 'number' | 'boolean' }

export interface Parsed {
  flags: Record<string, string | number | boolean>;
  positionals: string[];
}

export function parseArgs(args: string[], spec: FlagSpec): Parsed | string {
  const flags: Record<string, string | number | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (!kind) return `unknown option --${name}; known: ${Object.keys(spec).map((k) => `--${k}`).join(', ')}`;
    if (kind === 'boolean') { flags[name] = true; continue; }
    const v = inline ?? args[++i];
    if (v === undefined) return `--${name} needs a value`;
    if (kind === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) return `--${name}: got ${JSON.stringify(v)}; allowed: a number`;
      flags[name] = n;
    } else flags[name] = v;
  }
  return { flags, positionals };
}
