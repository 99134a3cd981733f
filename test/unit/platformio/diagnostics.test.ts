import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  COMPILER_DIAGNOSTIC_REGEXP,
  compilerProblemMatcher,
  formatDiagnostic,
  parseCompilerDiagnostics,
} from '../../../src/core/platformio/diagnostics';

describe('platformio/diagnostics', () => {
  const project = path.resolve('/work/blink');

  it('parses file:line:col diagnostics of every severity, resolving relative paths', () => {
    assert.deepEqual(parseCompilerDiagnostics("src/main.cpp:12:5: error: 'foo' was not declared in this scope", project), {
      file: path.join(project, 'src', 'main.cpp'),
      line: 12,
      column: 5,
      severity: 'error',
      message: "'foo' was not declared in this scope",
    });
    assert.deepEqual(parseCompilerDiagnostics('include/cfg.h:3:10: fatal error: secrets.h: No such file or directory', project), {
      file: path.join(project, 'include', 'cfg.h'),
      line: 3,
      column: 10,
      severity: 'error',
      message: 'secrets.h: No such file or directory',
    });
    const warning = parseCompilerDiagnostics('/abs/lib/x.cpp:7:1: warning: unused variable \'y\' [-Wunused-variable]', project);
    assert.equal(warning?.file, path.resolve('/abs/lib/x.cpp'));
    assert.equal(warning?.severity, 'warning');
    assert.equal(parseCompilerDiagnostics('src/a.h:1:2: note: declared here', project)?.severity, 'info');
  });

  it('parses file:line diagnostics without a column and Windows drive paths', () => {
    const noColumn = parseCompilerDiagnostics('src/main.cpp:4: error: expected declaration', project);
    assert.equal(noColumn?.line, 4);
    assert.equal(noColumn?.column, null);
    const windows = new RegExp(COMPILER_DIAGNOSTIC_REGEXP).exec('C:\\proj\\src\\main.cpp:12:5: error: boom');
    assert.deepEqual(windows?.slice(1), ['C:\\proj\\src\\main.cpp', '12', '5', 'error', 'boom']);
  });

  it('ignores lines that are not diagnostics and strips colour codes', () => {
    for (const line of [
      "src/main.cpp: In function 'void loop()':",
      'Compiling .pio/build/esp32dev/src/main.cpp.o',
      '*** [.pio/build/esp32dev/src/main.cpp.o] Error 1',
      '   12 |     foo();',
      'Warning! Ignore unknown configuration option `foo` in section [env]',
    ]) {
      assert.equal(parseCompilerDiagnostics(line, project), undefined, line);
    }
    const coloured = parseCompilerDiagnostics('\u001b[01m\u001b[Ksrc/main.cpp:3:1:\u001b[m\u001b[K \u001b[01;31m\u001b[Kerror: \u001b[m\u001b[Kbad', project);
    assert.equal(coloured?.message, 'bad');
  });

  it('gives a problem matcher built on the very same expression', () => {
    const matcher = compilerProblemMatcher(project);
    assert.equal(matcher.pattern.regexp, COMPILER_DIAGNOSTIC_REGEXP);
    assert.deepEqual(matcher.fileLocation, ['autoDetect', project]);
    const match = new RegExp(matcher.pattern.regexp).exec("src/main.cpp:12:5: error: 'foo' was not declared in this scope")!;
    assert.equal(match[matcher.pattern.file], 'src/main.cpp');
    assert.equal(match[matcher.pattern.line], '12');
    assert.equal(match[matcher.pattern.column], '5');
    assert.equal(match[matcher.pattern.severity], 'error');
    assert.equal(match[matcher.pattern.message], "'foo' was not declared in this scope");
  });

  it('formats a diagnostic relative to the project', () => {
    const d = parseCompilerDiagnostics('src/main.cpp:12:5: error: x', project)!;
    assert.equal(formatDiagnostic(d, project), 'src/main.cpp:12:5: error: x'.replace('src/main.cpp', path.join('src', 'main.cpp')));
  });
});
