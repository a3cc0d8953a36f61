// The child-process server helper lives with the test helpers (the crash and load suites use it
// too); benches import it from here or from there.
export {
  type ChildServer,
  percentile,
  spawnServer,
} from '../test/helpers/childServer.ts';
