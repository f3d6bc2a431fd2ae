/// <reference lib="webworker" />
import { runOutputScenario, type OutputScenarioEnd } from './test-output-scenario.ts';

/** Runs the output-file test scenario in a dedicated worker, as the export worker writes. */
const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = async (event: MessageEvent<{ fileName: string; picked: boolean; end: OutputScenarioEnd }>) => {
  const { fileName, picked, end } = event.data;
  try {
    scope.postMessage({ result: await runOutputScenario(fileName, picked, end) });
  } catch (error) {
    scope.postMessage({ error: String(error) });
  }
};
