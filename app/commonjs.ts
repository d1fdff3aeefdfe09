/**
 * The exports of a CommonJS package loaded with import(). Node's loader
 * gives its named exports, but in a code-split esbuild bundle the package
 * becomes a chunk whose only export is `default` (module.exports). Only for
 * CommonJS packages: an ES module's default export would be taken instead.
 */
export function commonJsExports<T extends object>(mod: T): T {
  return (mod as { default?: T }).default ?? mod;
}
