// Every CLI command, in the order the help lists them. A new command is added here, nowhere else.
import type { CommandSpec } from '../support/command';
import { firmwareListCommand, firmwareShowCommand } from './firmware';
import { firmwareUploadCommand, firmwareDeleteCommand } from './firmwareWrite';
import { jobListCommand, jobShowCommand } from './job';
import { jobCreateCommand, jobCancelCommand } from './jobWrite';
import { taskListCommand } from './task';
import { taskRetryCommand, taskConfirmCommand } from './taskActions';
import { iotaapListCommand } from './iotaap';
import { iotaapDeployCommand } from './iotaapDeploy';
import { buildCommand } from './build';
import { deployCommand } from './deploy';
import { portsCommand } from './ports';
import { flashCommand } from './flash';
import { sandboxCommand } from './sandbox';
import {
  rolloutAbortCommand,
  rolloutAdvanceCommand,
  rolloutCreateCommand,
  rolloutPauseCommand,
  rolloutResumeCommand,
  rolloutRetryCommand,
  rolloutStatusCommand,
} from './rollout';

export const COMMANDS: readonly CommandSpec[] = [
  firmwareListCommand,
  firmwareShowCommand,
  firmwareUploadCommand,
  firmwareDeleteCommand,
  jobListCommand,
  jobShowCommand,
  jobCreateCommand,
  jobCancelCommand,
  taskListCommand,
  taskRetryCommand,
  taskConfirmCommand,
  iotaapListCommand,
  iotaapDeployCommand,
  buildCommand,
  deployCommand,
  portsCommand,
  flashCommand,
  rolloutCreateCommand,
  rolloutStatusCommand,
  rolloutAdvanceCommand,
  rolloutPauseCommand,
  rolloutResumeCommand,
  rolloutAbortCommand,
  rolloutRetryCommand,
  sandboxCommand,
];
