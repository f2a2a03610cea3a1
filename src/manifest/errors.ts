// ManifestError: every manifest problem, as one line "<file>: <field>: <why>".
// fileProblem: why a path the manifest names cannot be read, or null.

import { accessSync, constants, statSync } from 'node:fs';

export class ManifestError extends Error {
  readonly code = 'ERR_MANIFEST';
  readonly file: string;
  /** The field at fault, e.g. `handler[1].type`, or null for file-level errors. */
  readonly path: string | null;
  /** Position in the file, when the TOML parser gives one. */
  readonly line: number | null;
  readonly column: number | null;
  constructor(file: string, path: string | null, detail: string, position?: { line: number; column: number }) {
    const where = position === undefined ? file : `${file}:${position.line}:${position.column}`;
    super(`${where}: ${path === null ? '' : `${path}: `}${detail}`);
    this.name = 'ManifestError';
    this.file = file;
    this.path = path;
    this.line = position?.line ?? null;
    this.column = position?.column ?? null;
  }
}

const firstLine = (text: string): string => text.split('\n', 1)[0];

/** The errno code (ENOENT, EACCES…) or the first line of the message. */
export const reason = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? firstLine((error as Error).message);

/** Why `file` cannot be read as a regular file, or null when it can. */
export function fileProblem(file: string): string | null {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isFile() ? null : 'not a file';
  } catch (error) {
    return reason(error);
  }
}
