// Module resolution hooks (see loader.mjs). A model file imports 'faultline' and 'immutable'; both
// resolve to this installation's copies wherever the model file is. TypeScript and JavaScript
// files outside node_modules are loaded as ES modules even without a package.json saying so.
const root = new URL('../../', import.meta.url);
const entry = new URL('src/index.ts', root).href;
const anchor = new URL('package.json', root).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'faultline') return { url: entry, format: 'module', shortCircuit: true };
  if (specifier === 'immutable' || specifier.startsWith('immutable/')) return next(specifier, { ...context, parentURL: anchor });
  const r = await next(specifier, context);
  if (/\.(m?ts|js)$/.test(r.url) && r.url.startsWith('file:') && !r.url.includes('/node_modules/')) return { ...r, format: 'module' };
  return r;
}
