// GCC-style compiler diagnostics in the build output (`file:line:col: error: message`, `file:line: warning: ...`,
// `fatal error`, `note`). The same regular expression drives the VS Code task's problem matcher, so what the Problems
// view shows and what the CLI reports cannot drift apart.
import * as path from 'node:path';

/**
 * Groups: 1 file, 2 line, 3 column (optional), 4 severity (`fatal error`, `error`, `warning` or `note`), 5 message.
 * The file is matched lazily so that a Windows drive letter (`C:\src\main.cpp`) stays part of it.
 */
export const COMPILER_DIAGNOSTIC_REGEXP = '^(.+?):(\\d+):(?:(\\d+):)?\\s+(fatal error|error|warning|note):\\s+(.*)$';

const PATTERN = new RegExp(COMPILER_DIAGNOSTIC_REGEXP);
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

export interface CompilerDiagnostic {
  /** Absolute path (relative paths are taken from the project directory, where pio runs). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based; null when the compiler gave none. */
  column: number | null;
  severity: DiagnosticSeverity;
  message: string;
}

/** The diagnostic on one output line, or undefined. */
export function parseCompilerDiagnostics(line: string, projectDir: string): CompilerDiagnostic | undefined {
  const match = PATTERN.exec(line.replace(ANSI_ESCAPE, '').trimEnd());
  if (!match) return undefined;
  const [, file, lineText, columnText, severityText, message] = match;
  const severity: DiagnosticSeverity = severityText === 'warning' ? 'warning' : severityText === 'note' ? 'info' : 'error';
  return {
    file: path.resolve(projectDir, file.trim()),
    line: Number(lineText),
    column: columnText === undefined ? null : Number(columnText),
    severity,
    message: message,
  };
}

/** One diagnostic as a person reads it, with the path relative to the project. */
export function formatDiagnostic(d: CompilerDiagnostic, projectDir: string): string {
  const relative = path.relative(projectDir, d.file);
  const file = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : d.file;
  return `${file}:${d.line}${d.column === null ? '' : `:${d.column}`}: ${d.severity}: ${d.message}`;
}

/**
 * The problem matcher for a VS Code task (the JSON shape of `tasks.json` problemMatcher) using the same expression:
 * VS Code maps `fatal error` to the default severity, error, and `note` to info. Relative paths resolve against
 * `projectDir`.
 */
export function compilerProblemMatcher(projectDir: string): {
  owner: string;
  source: string;
  fileLocation: [string, string];
  pattern: { regexp: string; file: number; line: number; column: number; severity: number; message: number };
} {
  return {
    owner: 'ota',
    source: 'gcc',
    fileLocation: ['autoDetect', projectDir],
    pattern: { regexp: COMPILER_DIAGNOSTIC_REGEXP, file: 1, line: 2, column: 3, severity: 4, message: 5 },
  };
}
