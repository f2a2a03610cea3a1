// An actor's mailbox: calls into one instance run one after another, never
// interleaved. jco glue does not make that safe by itself (jco 1.11.2 lets
// concurrent calls interleave), so every call into an instance goes through here.

export class Mailbox {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `call` after every call sent before it has settled. */
  send<T>(call: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(call);
    this.#tail = result.then(noop, noop);
    return result;
  }
}

function noop(): void {}
