// Commands on the PlatformIO build: choose the environment, build it and return the fresh firmware.
import * as vscode from 'vscode';
import { buildFirmware, describeArtifact, type BuiltFirmware } from '../platformio/buildFirmware';
import { offerWithoutPlatformio, platformioProblem } from '../platformio/platformioMissing';
import type { OtaCommand } from './command';
import type { Features } from './features';

export interface BuildArgs {
  projectDir?: string;
  env?: string;
}

export function buildCommands({ log, pio }: Features): OtaCommand[] {
  return [
    {
      id: 'ota.project.selectEnvironment',
      run: async () => {
        const t = await pio.choice.choose({ askEnv: true });
        if (t) void vscode.window.setStatusBarMessage(vscode.l10n.t('OTA: building {0} from now on', t.env), 4000);
        return t?.env;
      },
    },
    {
      id: 'ota.project.build',
      run: async (args?: BuildArgs): Promise<BuiltFirmware | undefined> => {
        const problem = await platformioProblem();
        if (problem) {
          log.warn(problem);
          await offerWithoutPlatformio(problem);
          return undefined;
        }
        const target = await pio.choice.choose({ projectDir: args?.projectDir, env: args?.env });
        if (!target) return undefined;
        log.info(`Build requested: ${target.env} of ${target.projectDir}`);
        const built = await buildFirmware(pio.tasks, target);
        log.info(`Built ${built.artifact.path}`);
        void vscode.window.showInformationMessage(vscode.l10n.t('Built {0}.', describeArtifact(built)));
        return built;
      },
    },
  ];
}
