// ResumeQueue (src/pollables/resume-queue.ts): woken calls are released one per
// microtask, so each guest's own steps run before the next guest is released.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ResumeQueue } from '../../src/pollables/resume-queue.ts';

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

test('releases in push order; the first at once, each next one after the previous one\'s first step', async () => {
  const queue = new ResumeQueue();
  const log: string[] = [];
  // Like a woken guest: its release resolves a promise whose continuation (jco's await)
  // queues one more step (the JSPI resume).
  const release = (name: string) => () => {
    log.push(`release ${name}`);
    void Promise.resolve().then(() => { log.push(`${name} step 1`); queueMicrotask(() => log.push(`${name} resumes`)); });
  };
  for (const name of ['a', 'b', 'c']) queue.push(release(name));
  assert.equal(log, ['release a'], 'the first goes at once, inside the expiry');
  assert.is(queue.pending, 2);
  await settle();
  assert.equal(log, [
    'release a', 'a step 1', 'release b', 'a resumes', 'b step 1', 'release c', 'b resumes', 'c step 1', 'c resumes',
  ]);
  assert.is(queue.pending, 0);
});

test('after it drains, the next push goes at once again; pushes from inside a release keep push order', async () => {
  const queue = new ResumeQueue();
  const log: string[] = [];
  queue.push(() => log.push('1'));
  await settle();
  queue.push(() => {
    log.push('2');
    queue.push(() => log.push('4'));
  });
  queue.push(() => log.push('3'));
  assert.equal(log, ['1', '2']);
  await settle();
  assert.equal(log, ['1', '2', '4', '3'], '4 was pushed (inside 2) before 3');
});

test.run();
