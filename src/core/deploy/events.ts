// What the deploy steps report while they run: step changes and progress (bytes for uploads, percent for verify).
import type { DeployStage } from './errors';

export interface DeployStep {
  stage: DeployStage;
  state: 'started' | 'done' | 'skipped' | 'retrying';
  /** One line for a person, e.g. "Uploading firmware.bin (1.2 MB)". */
  message: string;
}

export interface DeployProgress {
  stage: 'hash' | 'upload' | 'verify';
  done: number;
  total: number;
  unit: 'bytes' | 'percent';
}

export interface StepReporting {
  signal?: AbortSignal;
  onStep?: (step: DeployStep) => void;
  onProgress?: (progress: DeployProgress) => void;
}
