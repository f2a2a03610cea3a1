// jco and binaryen are optional dependencies: only transpiling a component (jco,
// and binaryen for the fairness pass) needs them. A host that brings glue made by
// the jco CLI can install without them (npm install --omit=optional), and a
// transpile there fails with this one line instead of ERR_MODULE_NOT_FOUND.
import pkg from '../../package.json' with { type: 'json' };

/** What to install for transpiling: the optional dependencies at their pinned versions. */
export const TRANSPILE_PACKAGES: string = Object.entries(pkg.optionalDependencies).map(([name, range]) => `${name}@${range}`).join(' ');

/** The error for a missing optional dependency `name`. */
export function missingOptional(name: string, cause?: unknown): Error {
  return new Error(`transpiling a component needs ${name}, an optional dependency that is not installed (npm install --omit=optional leaves it out): npm install ${TRANSPILE_PACKAGES}`, { cause });
}

/** `load()`, with a missing module reported as missingOptional(name). */
export async function importOptional<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND') throw missingOptional(name, error);
    throw error;
  }
}
