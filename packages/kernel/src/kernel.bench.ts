/**
 * The kernel's benchmarks (issue: the workspace and the event-sourced microkernel):
 * - inputs/s of a trivial subsystem with the timeline on, and its ratio to a plain function call;
 * - seek to random positions of a 1 M-input timeline with a checkpoint every 1,000 inputs;
 * - the cost of a checkpoint of a 4 M-entry chunked array after writes to 1 % of its chunks,
 *   against a full copy;
 * - inputs/s of a subsystem whose every input writes one entry of a 16 M-entry chunked table
 *   (at seeded random places, or 7 entries apart), with a checkpoint every 1,000 inputs.
 */
import { defineSuite, median, now, opsPerSecond, percentile } from '@vmlab/bench';
import { ChunkedArray } from './chunkedArray.js';
import { createMachine } from './machine.js';
import { SeededRandom, seedRandom } from './random.js';
import { counterSubsystem, type CounterState } from './fixtures/ledger.js';
import { event } from './messages.js';
import { defineSubsystem } from './subsystem.js';
import { writableChunks } from './chunkedArray.js';

const INCREMENT = { type: 'counter/increment', payload: { by: 1 } } as const;

function machineInputsPerSecond(): number {
  const machine = createMachine({ subsystems: [counterSubsystem] });
  return opsPerSecond((n) => {
    for (let i = 0; i < n; i++) machine.dispatch(INCREMENT);
  });
}

function plainCallsPerSecond(): number {
  let state: CounterState = { count: 0 };
  const apply = (s: CounterState, by: number): CounterState => ({ count: s.count + by });
  const rate = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) state = apply(state, 1);
  });
  if (state.count < 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return rate;
}

function seekTimes(): { median: number; p99: number; build: number } {
  const inputs = 1_000_000;
  const machine = createMachine({ subsystems: [counterSubsystem], checkpointEvery: 1000 });
  const start = now();
  for (let i = 0; i < inputs; i++) machine.dispatch(INCREMENT);
  const build = (now() - start) / 1e6;
  const random = new SeededRandom(seedRandom(2026));
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const position = random.nextInt(inputs + 1);
    const t = now();
    const root = machine.timeline.seek(position);
    times.push((now() - t) / 1e6);
    if ((root.counter as CounterState).count !== position) throw new Error(`seek(${position}) gave the wrong state`);
  }
  return { median: median(times), p99: percentile(times, 99), build };
}

function checkpointCost(): { ratio: number; checkpointMs: number; fullCopyMs: number } {
  const length = 4 * 1024 * 1024;
  const array = ChunkedArray.create(Uint32Array, length);
  for (let i = 0; i < length; i++) array.set(i, i);
  array.snapshot();
  const chunksPerCheckpoint = Math.ceil(array.chunkCount / 100);
  const random = new SeededRandom(seedRandom(7));
  const writeAndCheckpoint = (rounds: number): number => {
    const t = now();
    for (let r = 0; r < rounds; r++) {
      for (let c = 0; c < chunksPerCheckpoint; c++) {
        const chunk = random.nextInt(array.chunkCount);
        array.set(chunk * array.chunkSize + random.nextInt(array.chunkSize), r);
      }
      array.snapshot();
    }
    return (now() - t) / 1e6 / rounds;
  };
  writeAndCheckpoint(200); // warm-up
  const checkpointMs = median([writeAndCheckpoint(500), writeAndCheckpoint(500), writeAndCheckpoint(500)]);
  const plain = array.toTypedArray();
  // A full-copy checkpoint: one fresh copy of the whole table (the previous one released).
  let copy = plain.slice();
  const copyTimes: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t = now();
    copy = plain.slice();
    copyTimes.push((now() - t) / 1e6);
  }
  if (copy.length !== length) throw new Error('unreachable');
  const fullCopyMs = median(copyTimes);
  return { ratio: (checkpointMs / fullCopyMs) * 100, checkpointMs, fullCopyMs };
}

const BIG_TABLE = 16 * 1024 * 1024;

/** One request, one event: writes one entry of a 16 M-entry chunked table. */
const bigTableSubsystem = defineSubsystem<{ readonly table: ChunkedArray<Uint32Array> }>({
  id: 'big',
  requests: { 'big/write': 1 },
  events: { 'big/written': 1 },
  initialState: () => ({ table: ChunkedArray.create(Uint32Array, BIG_TABLE) }),
  decide: (request) => ({ reply: null, events: [event('big/written', request.payload)] }),
  evolve(draft, e) {
    const p = e.payload as { index: number; value: number };
    writableChunks(draft, 'table').set(p.index, p.value);
  },
});

/** `random`: anywhere in the table (nearly every input touches a chunk no other input touched since the last checkpoint); `near`: entries 7 apart (a few chunks, as a sweep or an allocator's cursor does). */
function bigTableInputsPerSecond(places: 'random' | 'near'): number {
  const machine = createMachine({ subsystems: [bigTableSubsystem], logRequests: false });
  const random = new SeededRandom(seedRandom(16));
  const index = (i: number) => (places === 'random' ? random.nextInt(BIG_TABLE) : i * 7);
  const inputs = Array.from({ length: 4096 }, (_, i) => ({ type: 'big/write', payload: { index: index(i), value: i + 1 } }));
  let next = 0;
  return opsPerSecond((n) => {
    for (let i = 0; i < n; i++) machine.dispatch(inputs[next++ & 4095]!);
  });
}

let seek: ReturnType<typeof seekTimes> | undefined;
const seekOnce = () => (seek ??= seekTimes());

export default defineSuite('@vmlab/kernel', [
  {
    name: 'checkpoint of a 4 M-entry chunked array after writes to 1 % of chunks, vs a full copy',
    unit: '% of full copy',
    target: { atMost: 2 },
    run() {
      const { ratio, checkpointMs, fullCopyMs } = checkpointCost();
      return { value: ratio, details: { 'checkpoint (ms)': checkpointMs, 'full copy (ms)': fullCopyMs } };
    },
  },
  {
    name: 'inputs/s, trivial subsystem, timeline on',
    unit: 'inputs/s',
    target: { atLeast: 200_000 },
    run() {
      const machine = machineInputsPerSecond();
      const plain = plainCallsPerSecond();
      return { value: machine, details: { 'plain calls/s': plain, 'plain/machine': plain / machine } };
    },
  },
  {
    name: 'inputs/s, each writing one entry of a 16 M-entry chunked table, at random places',
    unit: 'inputs/s',
    run: () => ({ value: bigTableInputsPerSecond('random') }),
  },
  {
    name: 'inputs/s, each writing one entry of a 16 M-entry chunked table, 7 entries apart',
    unit: 'inputs/s',
    run: () => ({ value: bigTableInputsPerSecond('near') }),
  },
  {
    name: 'seek, 1 M inputs, checkpoint every 1,000: median',
    unit: 'ms',
    target: { atMost: 20 },
    run: () => ({ value: seekOnce().median, details: { 'build 1 M inputs (ms)': seekOnce().build } }),
  },
  {
    name: 'seek, 1 M inputs, checkpoint every 1,000: p99',
    unit: 'ms',
    run: () => ({ value: seekOnce().p99 }),
  },
]);
