import Handlebars from 'handlebars';

/** The placeholders a campaign template may name, and nothing else. */
export const PLACEHOLDERS = ['name', 'segment', 'offer', 'points', 'valueTier'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateContext = Record<Placeholder, string | number>;

/** Handlebars' built-in block helpers a template may use around placeholders ({{#if offer}}…{{/if}}); {{#with}} and {{#each}} change the context, so they are left out. */
const HELPERS = new Set(['if', 'unless']);

type Node = { type: string; [k: string]: unknown };

/** Every path a template names (placeholders and helpers), from its parsed AST; `@data` variables are left out. */
function namedPaths(node: unknown, out: { path: string; helper: boolean }[], helperPosition = false): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) namedPaths(n, out);
    return;
  }
  const n = node as Node;
  if (n.type === 'PathExpression') {
    if (!n.data) out.push({ path: String(n.original), helper: helperPosition });
    return;
  }
  if (n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression') {
    const params = (n.params as unknown[] | undefined) ?? [];
    const hash = n.hash as { pairs?: { value: unknown }[] } | undefined;
    // `{{name}}` is a lookup; `{{#if offer}}` and `{{foo bar}}` call a helper named by the path.
    namedPaths(n.path, out, n.type !== 'MustacheStatement' || params.length > 0 || (hash?.pairs?.length ?? 0) > 0);
    namedPaths(params, out);
    namedPaths(
      hash?.pairs?.map((p) => p.value),
      out,
    );
    namedPaths(n.program, out);
    namedPaths(n.inverse, out);
    return;
  }
  if (n.type === 'Program') namedPaths(n.body, out);
  else if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement' || n.type === 'DecoratorBlock' || n.type === 'Decorator')
    out.push({ path: `>${String((n.name as Node | undefined)?.original ?? 'partial')}`, helper: true });
}

export type TemplateProblem = { message: string; unknown?: string };

/**
 * Checks a template without rendering it: it must parse, and every name in it must be an allowed placeholder (or
 * an if/unless block around one). Returns the first problem, or undefined.
 */
export function checkTemplate(text: string): TemplateProblem | undefined {
  let ast: unknown;
  try {
    ast = Handlebars.parse(text);
  } catch (e) {
    return { message: `not a valid template: ${(e as Error).message.replace(/\s*\n\s*/g, ' ').trim()}` };
  }
  const paths: { path: string; helper: boolean }[] = [];
  namedPaths(ast, paths);
  for (const p of paths) {
    if (p.helper && HELPERS.has(p.path)) continue;
    if (!p.helper && (PLACEHOLDERS as readonly string[]).includes(p.path)) continue;
    const what = p.helper ? `helper or partial '${p.path}'` : `placeholder '{{${p.path}}}'`;
    return {
      message: `unknown ${what}; allowed placeholders: ${PLACEHOLDERS.map((x) => `{{${x}}}`).join(', ')} (and {{#if}}, {{#unless}} blocks around them)`,
      unknown: p.path,
    };
  }
  return undefined;
}

/**
 * Compiles a checked template in strict mode (a name missing from the context throws instead of printing nothing).
 * HTML-escapes values only for an e-mail body; SMS, push and subjects are plain text.
 */
export function compileTemplate(text: string, opts: { escape: boolean }): (ctx: TemplateContext) => string {
  return Handlebars.compile(text, {
    strict: true,
    noEscape: !opts.escape,
    knownHelpersOnly: true,
    knownHelpers: { if: true, unless: true },
  });
}
