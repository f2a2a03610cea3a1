// The process-wide scheduler and pollable table: one wheel and one native timer
// serve every actor in the process, whichever handler instance created it.
import { Scheduler } from '../scheduler/scheduler.ts';
import { PollableTable } from './table.ts';

let shared: PollableTable | null = null;

export function sharedPollableTable(): PollableTable {
  shared ??= new PollableTable(new Scheduler(), 4096);
  return shared;
}
