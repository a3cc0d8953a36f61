// Loaded into the server process by the load suite (node --expose-gc --import): on SIGUSR2 it
// runs a full garbage collection and prints a line, so the suite reads RSS at the retained
// size instead of at a random point of the collector's sawtooth, which under a high allocation
// rate spans a third of the heap and most of a minute. A leak is what survives collection.
const collect = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  const started = performance.now();
  collect?.();
  const ms = (performance.now() - started).toFixed(1);
  const m = process.memoryUsage();
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  process.stdout.write(
    `gc-probe collected=${collect ? 1 : 0} ms=${ms} heapUsedMb=${mb(m.heapUsed)} externalMb=${mb(m.external)}\n`,
  );
});
