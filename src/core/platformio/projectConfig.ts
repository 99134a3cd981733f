// PlatformIO's computed project configuration, read without PlatformIO: the same shape `pio project config
// --json-output` prints (an array of [section, [[option, value], ...]] pairs, multi-value options as arrays), built
// from `platformio.ini` (plus `extra_configs`) with PlatformIO's rules: an `[env:NAME]` section inherits from the
// sections named in its `extends` and then from `[env]`; `${section.option}`, `${sysenv.VAR}`, `${this.option}`,
// `${this.__env__}` and `${PROJECT_DIR}` are expanded; `PLATFORMIO_*` environment variables override or extend the
// options they belong to.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { interpolatePercent, parseIni, type IniSections } from './iniParser';

export type ConfigValue = string | string[];
/** The JSON `pio project config --json-output` prints. */
export type ComputedConfig = Array<[string, Array<[string, ConfigValue]>]>;

export const PROJECT_FILE = 'platformio.ini';

/** Options PlatformIO treats as lists (the ones this extension reads and their common neighbours). */
const MULTI_VALUE_OPTIONS = new Set([
  'build_flags',
  'build_src_flags',
  'build_unflags',
  'build_src_filter',
  'src_filter',
  'default_envs',
  'extends',
  'extra_configs',
  'extra_scripts',
  'framework',
  'lib_deps',
  'lib_ignore',
  'lib_extra_dirs',
  'monitor_filters',
  'platform_packages',
  'upload_flags',
]);

/** Options PlatformIO also takes from an environment variable, and whether that value is appended (lists). */
const ENV_VAR_OPTIONS = new Map<string, { scope: 'platformio' | 'env'; variable: string; append: boolean }>([
  ['default_envs', { scope: 'platformio', variable: 'PLATFORMIO_DEFAULT_ENVS', append: false }],
  ['workspace_dir', { scope: 'platformio', variable: 'PLATFORMIO_WORKSPACE_DIR', append: false }],
  ['build_dir', { scope: 'platformio', variable: 'PLATFORMIO_BUILD_DIR', append: false }],
  ['build_flags', { scope: 'env', variable: 'PLATFORMIO_BUILD_FLAGS', append: true }],
  ['build_src_flags', { scope: 'env', variable: 'PLATFORMIO_BUILD_SRC_FLAGS', append: true }],
]);

const VARIABLE = /\$\{(?:([^.}()]+)\.)?([^}]+)\}/g;
const MAX_DEPTH = 20;

/** PlatformIO's list parsing: one item per line (or per ", " on a single line), comments and blanks dropped. */
export function parseMultiValue(value: string): string[] {
  const items = value.includes('\n') ? value.split('\n') : value.split(', ');
  const result: string[] = [];
  for (const raw of items) {
    let item = raw.trim();
    if (!item || item.startsWith(';') || item.startsWith('#')) continue;
    if (item.includes(';')) item = item.replace(/\s+;.*$/, '').trim();
    result.push(item);
  }
  return result;
}

export interface ProjectConfigOptions {
  /** Environment variables for `${sysenv.X}` and `PLATFORMIO_*` overrides; default process.env. */
  env?: NodeJS.ProcessEnv;
}

class ProjectIni {
  constructor(
    private readonly sections: IniSections,
    private readonly projectDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  sectionNames(): string[] {
    return [...this.sections.keys()];
  }

  /** Sections searched for an option of `root`, first match wins: root, its `extends` (depth first), then [env]. */
  private *walk(root: string): Generator<string> {
    const queue = root.startsWith('env:') ? ['env', root] : [root];
    const seen = new Set<string>();
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const section = this.sections.get(name);
      if (!section) continue;
      yield name;
      const extendsValue = section.get('extends');
      if (extendsValue !== undefined) queue.push(...parseMultiValue(this.raw(name, extendsValue)).reverse());
    }
  }

  private raw(sectionName: string, value: string): string {
    return interpolatePercent(value, this.sections.get(sectionName) ?? new Map());
  }

  options(root: string): string[] {
    const result: string[] = [];
    for (const name of this.walk(root)) {
      for (const option of this.sections.get(name)!.keys()) if (!result.includes(option)) result.push(option);
    }
    const scope = root.split(':', 1)[0];
    for (const [option, meta] of ENV_VAR_OPTIONS) {
      if (meta.scope === scope && this.env[meta.variable] && !result.includes(option)) result.push(option);
    }
    return result;
  }

  /** The option's value with variables expanded, before list parsing; undefined when no section sets it. */
  getRaw(root: string, option: string, depth = 0): string | undefined {
    let value: string | undefined;
    for (const name of this.walk(root)) {
      const found = this.sections.get(name)!.get(option);
      if (found !== undefined) {
        value = this.raw(name, found);
        break;
      }
    }
    const meta = ENV_VAR_OPTIONS.get(option);
    const fromEnv = meta && meta.scope === root.split(':', 1)[0] ? this.env[meta.variable] : undefined;
    if (meta && fromEnv) value = meta.append && value ? `${value}\n${fromEnv}` : fromEnv;
    return value === undefined ? undefined : this.expand(root, value, depth);
  }

  private expand(root: string, value: string, depth: number): string {
    if (!value.includes('${')) return value;
    if (depth >= MAX_DEPTH) {
      throw new OtaError('invalid-input', say`${PROJECT_FILE}: "${value}" refers to itself (endless \${...} expansion).`);
    }
    return value.replace(VARIABLE, (match, section: string | undefined, option: string) => {
      if (section === undefined) {
        if (option === 'PROJECT_DIR') return this.projectDir;
        if (option === 'UNIX_TIME') return String(Math.floor(Date.now() / 1000));
        return match;
      }
      if (section === 'sysenv') return this.env[option] ?? '';
      if (section === 'this') {
        if (option === '__env__') return root.startsWith('env:') ? root.slice(4) : '';
        section = root;
      }
      const resolved = this.getRaw(section, option, depth + 1);
      return resolved ?? match;
    });
  }

  get(root: string, option: string): ConfigValue | undefined {
    const value = this.getRaw(root, option);
    if (value === undefined) return undefined;
    return MULTI_VALUE_OPTIONS.has(option) ? parseMultiValue(value) : value;
  }

  computed(): ComputedConfig {
    return this.sectionNames().map((name) => [
      name,
      this.options(name).map((option): [string, ConfigValue] => [option, this.get(name, option) ?? '']),
    ]);
  }
}

/** Expands `~` and resolves `pattern` against `baseDir`; a `*` or `?` is allowed in the file name only. */
async function expandConfigPattern(pattern: string, baseDir: string, home: string | undefined): Promise<string[]> {
  const expanded = pattern.startsWith('~') && home ? path.join(home, pattern.slice(1)) : pattern;
  const absolute = path.resolve(baseDir, expanded);
  const base = path.basename(absolute);
  if (!/[*?]/.test(base)) return [absolute];
  const source = base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const matcher = new RegExp(`^${source}$`);
  const dir = path.dirname(absolute);
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  return entries.filter((e) => matcher.test(e)).sort().map((e) => path.join(dir, e));
}

async function readIniFile(file: string, into: IniSections): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return false;
  }
  parseIni(text, path.basename(file), into);
  return true;
}

/**
 * The computed configuration of the project in `projectDir`, from its `platformio.ini` (and the files its
 * `[platformio] extra_configs` names). Throws OtaError 'not-found' when there is no `platformio.ini`.
 */
export async function computeProjectConfig(projectDir: string, options: ProjectConfigOptions = {}): Promise<ComputedConfig> {
  const env = options.env ?? process.env;
  const dir = path.resolve(projectDir);
  const sections: IniSections = new Map();
  const main = path.join(dir, PROJECT_FILE);
  if (!(await readIniFile(main, sections))) {
    throw new OtaError('not-found', say`No ${PROJECT_FILE} in ${dir}: this is not a PlatformIO project.`, {
      hint: say`Open the folder that contains platformio.ini, or create a project with \`pio project init\`.`,
    });
  }
  const ini = new ProjectIni(sections, dir, env);
  const extra = ini.get('platformio', 'extra_configs');
  const read = new Set([main]);
  for (const pattern of Array.isArray(extra) ? extra : []) {
    for (const file of await expandConfigPattern(pattern, dir, env.HOME ?? env.USERPROFILE)) {
      if (read.has(file)) continue;
      read.add(file);
      await readIniFile(file, sections);
    }
  }
  return ini.computed();
}

/** A JSON value from `pio project config --json-output`, checked to have the documented shape. */
export function asComputedConfig(json: unknown): ComputedConfig {
  const bad = (why: string) => new OtaError('unexpected-response', say`pio project config printed JSON of an unknown shape: ${why}.`);
  if (!Array.isArray(json)) throw bad(say`not an array`);
  return json.map((entry: unknown): [string, Array<[string, ConfigValue]>] => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) throw bad(say`an entry is not [section, options]`);
    const options = (entry[1] as unknown[]).map((pair): [string, ConfigValue] => {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string') throw bad(say`an option of [${String(entry[0])}] is not [name, value]`);
      const value: unknown = pair[1];
      if (Array.isArray(value)) return [pair[0], value.map((v) => String(v))];
      if (value === null || value === undefined) return [pair[0], ''];
      if (typeof value === 'boolean') return [pair[0], value ? 'yes' : 'no'];
      if (typeof value === 'string') return [pair[0], value];
      if (typeof value === 'number') return [pair[0], String(value)];
      throw bad(say`option ${pair[0]} of [${String(entry[0])}] has a value of type ${typeof value}`);
    });
    return [entry[0], options];
  });
}

/** One option of one section, or undefined. */
export function configValue(config: ComputedConfig, section: string, option: string): ConfigValue | undefined {
  const entry = config.find(([name]) => name === section);
  return entry?.[1].find(([name]) => name === option)?.[1];
}

/** A value as a list (a single string is parsed the way PlatformIO parses list options). */
export function configList(value: ConfigValue | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : parseMultiValue(value);
}

/**
 * The directory PlatformIO builds into: `[platformio] build_dir`, else `workspace_dir`/build, else `.pio/build`,
 * resolved against the project directory (`$PROJECT_DIR`, `${PROJECT_DIR}` and `~` understood).
 */
export function buildDirOf(config: ComputedConfig, projectDir: string, home?: string): string {
  const dir = path.resolve(projectDir);
  const resolveDir = (value: string): string => {
    let v = value.replace(/\$\{?PROJECT_DIR\}?/g, dir);
    if (v.startsWith('~') && home) v = path.join(home, v.slice(1));
    return path.resolve(dir, v);
  };
  const single = (option: string): string | undefined => {
    const value = configValue(config, 'platformio', option);
    const text = Array.isArray(value) ? value[0] : value;
    return text ? text.trim() : undefined;
  };
  const buildDir = single('build_dir');
  if (buildDir) {
    const workspace = single('workspace_dir');
    return resolveDir(buildDir.replace(/\$\{?PROJECT_WORKSPACE_DIR\}?/g, workspace ? resolveDir(workspace) : path.join(dir, '.pio')));
  }
  const workspace = single('workspace_dir');
  return path.join(workspace ? resolveDir(workspace) : path.join(dir, '.pio'), 'build');
}
