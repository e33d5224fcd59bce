import { stopEvaluator } from './iam-evaluator';

/**
 * jest setupFilesAfterEnv: stop the IAM evaluator's worker thread when the test file ends.
 * jest loads the modules afresh for each test file, so each file that runs the IAM check
 * starts its own evaluator thread (iam-simulate and the IAM reference loaded in it); unref'd,
 * they never kept a process alive, but a jest worker process that had run a dozen files held
 * a dozen of them, and tearing them all down at its exit could outlast jest's grace period
 * ("A worker process has failed to exit gracefully and has been force exited").
 */
afterAll(() => stopEvaluator());
