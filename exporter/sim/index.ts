/** The simulated exporter's public API: scenarios of TSEM events, and trajectory file lines. */
export {
  createScenario,
  type InjectedEvent,
  listScenarios,
  MIN_TRAINING_ITERATIONS,
  type AttackRole,
  type Scenario,
  type ScenarioInfo,
  type ScenarioOptions,
  type SimEntry,
} from './scenario.js';
export { formatEventLine, formatExportLine } from './kernel-line.js';
export {
  readTrajectoryLines,
  splitTrajectoryLines,
  type TrajectoryLine,
  TrajectoryFileError,
} from './trajectory-file.js';
