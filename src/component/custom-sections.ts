/*
 * Trims a core module's custom sections before binaryen reads it. binaryen
 * prints a warning on stderr for name subsections it does not know (wasm-tools
 * emits label names, id 3), which would interleave with the CLI's own output.
 * Function and local names (subsections 0-2) are kept, so stack traces and the
 * fairness report still name functions; every other custom section is debug or
 * tooling data that the instantiated module never reads.
 */

const KEPT_NAME_SUBSECTIONS = 2;

function readU32(bytes: Uint8Array, start: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let pos = start;
  for (;;) {
    if (pos >= bytes.length || shift > 28) throw new Error(`custom sections: bad LEB128 at byte ${start}`);
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function section(id: number, payload: Uint8Array): Uint8Array[] {
  return [Uint8Array.of(id, ...u32(payload.length)), payload];
}

/** The name section with only the module, function and local names. */
function trimNames(payload: Uint8Array, start: number): Uint8Array {
  const kept: Uint8Array[] = [payload.subarray(0, start)];
  let pos = start;
  while (pos < payload.length) {
    const id = payload[pos]!;
    const [size, body] = readU32(payload, pos + 1);
    if (id <= KEPT_NAME_SUBSECTIONS) kept.push(payload.subarray(pos, body + size));
    pos = body + size;
  }
  return Buffer.concat(kept);
}

export function trimCustomSections(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos]!;
    const [size, body] = readU32(bytes, pos + 1);
    const end = body + size;
    if (end > bytes.length) throw new Error(`custom sections: section ${id} at byte ${pos} runs past the end`);
    if (id !== 0) {
      parts.push(bytes.subarray(pos, end));
    } else {
      const payload = bytes.subarray(body, end);
      const [nameLength, nameStart] = readU32(payload, 0);
      const name = new TextDecoder().decode(payload.subarray(nameStart, nameStart + nameLength));
      if (name === 'name') parts.push(...section(0, trimNames(payload, nameStart + nameLength)));
    }
    pos = end;
  }
  return Buffer.concat(parts);
}
