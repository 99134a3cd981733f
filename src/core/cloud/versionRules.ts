// What the clouds accept as a firmware version, checked before anything is uploaded. Each validator returns
// undefined for a good version, else a message saying what is wrong and what would be accepted (the shape VS Code's
// input box validation expects).
import { OtaError } from '../errors';
import { say } from '../sentences';

/** Alibaba Cloud IoT `DestVersion`: 1-64 letters, digits, `.`, `_`, `-`. */
export const ALIYUN_VERSION_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const ALIYUN_VERSION_MAX = 64;

/** Semantic Versioning 2.0.0 (the expression semver.org gives), as IoTaaP wants. */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function show(c: string): string {
  return /\s/.test(c) ? (c === ' ' ? say`a space` : say`a whitespace character`) : `"${c}"`;
}

/** What is wrong with a version Alibaba Cloud would refuse, or undefined; `subject` names it ("The source version"). */
export function validateAliyunVersion(version: string, subject = say`The version`): string | undefined {
  const example = say`e.g. 1.4.2, v1.4.2-rc1 or 2024.06.01_b7`;
  if (!version) return say`${subject} is empty: Alibaba Cloud needs 1-${ALIYUN_VERSION_MAX} letters, digits, ".", "_" or "-", ${example}.`;
  if (version.length > ALIYUN_VERSION_MAX) {
    return say`${subject} "${version}" is ${version.length} characters long: Alibaba Cloud accepts at most ${ALIYUN_VERSION_MAX}, ${example}.`;
  }
  const bad = [...version].find((c) => !/[A-Za-z0-9._-]/.test(c));
  if (bad !== undefined) {
    return say`${subject} "${version}" contains ${show(bad)}: Alibaba Cloud accepts only letters, digits, ".", "_" and "-", ${example}.`;
  }
  return undefined;
}

const IDENTIFIER = /^[0-9A-Za-z-]+$/;

/** What is wrong with a dot-separated prerelease or build part, or undefined. */
function partProblem(part: string, kind: string, numericNoLeadingZero: boolean): string | undefined {
  for (const id of part.split('.')) {
    if (!id) return say`its ${kind} part "${part}" has an empty identifier`;
    if (!IDENTIFIER.test(id)) return say`its ${kind} part "${part}" may hold only letters, digits, "-" and "."`;
    if (numericNoLeadingZero && /^0\d+$/.test(id)) return say`its ${kind} identifier "${id}" is a number with a leading zero`;
  }
  return undefined;
}

function semverProblem(version: string): string {
  if (/^[vV]/.test(version) && SEMVER_PATTERN.test(version.slice(1))) return say`remove the leading "${version[0]}" (${version.slice(1)})`;
  const ws = [...version].find((c) => /\s/.test(c));
  if (ws !== undefined) return say`it contains ${show(ws)}`;
  const match = /^([^-+]*)(?:-([^+]*))?(?:\+(.*))?$/s.exec(version)!;
  const [, core, pre, build] = match;
  const numbers = core.split('.');
  if (numbers.length !== 3 || numbers.some((n) => !/^\d+$/.test(n))) {
    return say`it must start with three numbers MAJOR.MINOR.PATCH, found "${core}"`;
  }
  const leadingZero = numbers.find((n) => /^0\d+$/.test(n));
  if (leadingZero) return say`its number "${leadingZero}" has a leading zero`;
  if (pre !== undefined) {
    const problem = partProblem(pre, say`pre-release`, true);
    if (problem) return problem;
  }
  if (build !== undefined) {
    const problem = partProblem(build, say`build`, false);
    if (problem) return problem;
  }
  return say`it is not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`;
}

export function validateSemver(version: string): string | undefined {
  if (SEMVER_PATTERN.test(version)) return undefined;
  const example = say`e.g. 1.4.2, 1.4.2-beta.1 or 1.4.2+build.7`;
  if (!version) return say`The version is empty: IoTaaP needs a semantic version, ${example}.`;
  return say`The version "${version}" is not a semantic version: ${semverProblem(version)}. IoTaaP needs MAJOR.MINOR.PATCH with optional -PRERELEASE and +BUILD, ${example}.`;
}

export type VersionRules = 'aliyun' | 'semver';

/** Throws OtaError 'invalid-input' with the validator's message when `version` breaks `rules`. */
export function assertValidVersion(version: string, rules: VersionRules): void {
  const problem = rules === 'aliyun' ? validateAliyunVersion(version) : validateSemver(version);
  if (problem) throw new OtaError('invalid-input', problem);
}
