import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventRecorder } from '../../src/events/recorder.ts';
import type { EventSink } from '../../src/events/types.ts';
import { ALL_EVENTS } from './fixture.ts';

const rec = suite('EventRecorder');

rec('records the same objects, in order, without copying', () => {
  const recorder = new EventRecorder();
  const sink: EventSink = recorder;
  for (const event of ALL_EVENTS) sink.record(event);
  assert.is(recorder.size, ALL_EVENTS.length);
  assert.equal(recorder.events, ALL_EVENTS);
  assert.ok(recorder.events.every((event, i) => event === ALL_EVENTS[i]));
});

rec('events is a live view; clear starts afresh and leaves earlier views intact', () => {
  const recorder = new EventRecorder();
  const view = recorder.events;
  recorder.record({ type: 'HandlerSetupStart' });
  assert.equal(view, [{ type: 'HandlerSetupStart' }]);
  recorder.clear();
  assert.is(recorder.size, 0);
  assert.equal(recorder.events, []);
  assert.equal(view, [{ type: 'HandlerSetupStart' }]);
  recorder.record({ type: 'PollableDrop', pollable: 1 });
  assert.equal(recorder.events, [{ type: 'PollableDrop', pollable: 1 }]);
});

rec.run();
