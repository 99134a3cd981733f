// The directions imports may take between the product's folders (docs/architecture.md): the core is used by both
// front ends and knows neither; the CLI never needs VS Code's front end; src/shared holds what the extension host
// and the webview share and depends on nothing; the webview reaches the rest only through src/shared.
// Relative imports are resolved against the importing file, so `../../extension/x` is caught however it is spelled.
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** Folders are relative to the repository root, with '/' separators. */
export const ZONES = [
  {
    files: 'src/core/',
    forbidden: ['src/extension/', 'src/cli/', 'src/shared/'],
    // The import-free formatter module is the one piece of src/shared everything includes.
    allowed: ['src/shared/units'],
    message: 'src/core is shared by the extension and the CLI: it imports nothing from src/extension, src/cli or src/shared.',
  },
  {
    files: 'src/cli/',
    forbidden: ['src/extension/'],
    message: 'The CLI runs without VS Code: it never imports src/extension.',
  },
  {
    files: 'src/shared/',
    only: ['src/shared/'],
    packages: false,
    message: 'src/shared holds the types the extension host and the webview share: it imports nothing outside src/shared.',
  },
  {
    files: 'webview/',
    only: ['webview/', 'src/shared/'],
    message: 'The webview talks to the extension only through messages: it imports project code from src/shared only.',
  },
];

function toPosix(p) {
  return p.split('\\').join('/');
}

/** @type {import('eslint').Rule.RuleModule} */
export const importDirections = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports go only in the directions docs/architecture.md allows.' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = toPosix(relative(root, context.filename));
    const zone = ZONES.find((z) => file.startsWith(z.files));
    if (!zone) return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const relativeSpec = source.startsWith('.');
      if (!relativeSpec && !isAbsolute(source)) {
        if (zone.packages === false) context.report({ node, message: `${zone.message} ('${source}')` });
        return;
      }
      const target = toPosix(relative(root, resolve(dirname(context.filename), source)));
      const inside = (folder) => `${target}/`.startsWith(folder);
      if (zone.allowed?.some((a) => target === a)) return;
      const refused = zone.forbidden ? zone.forbidden.some(inside) : !zone.only.some(inside);
      if (refused) context.report({ node, message: `${zone.message} ('${source}')` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { 'import-directions': importDirections } };
