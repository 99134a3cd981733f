// What esptool-js prints while it works ("Compressed 40000 bytes to 487...") is English of its own. The lines of a
// usual flash are said again here through say`…`, word for word, so the VS Code front end can show them in the
// display language; any other line passes through as esptool-js wrote it.
import { say } from '../../../sentences';

const LINES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Connecting\.\.\.$/, () => say`Connecting...`],
  [/^Detecting chip type\.\.\. ?$/, () => say`Detecting chip type...`],
  [/^Chip is (.+)$/, (m) => say`Chip is ${m[1]}`],
  [/^Features: (.+)$/, (m) => say`Features: ${m[1]}`],
  [/^Crystal is (.+)$/, (m) => say`Crystal is ${m[1]}`],
  [/^Uploading stub\.\.\.$/, () => say`Uploading stub...`],
  [/^Running stub\.\.\.$/, () => say`Running stub...`],
  [/^Stub running\.\.\.$/, () => say`Stub running...`],
  [/^Changing baudrate to (\d+)$/, (m) => say`Changing baudrate to ${m[1]}`],
  [/^Changed\.?$/, () => say`Changed`],
  [/^Configuring flash size\.\.\.$/, () => say`Configuring flash size...`],
  [/^Auto-detected Flash size: (\S+)$/, (m) => say`Auto-detected Flash size: ${m[1]}`],
  [/^Detected flash size: (\S+)$/, (m) => say`Detected flash size: ${m[1]}`],
  [/^Erasing flash \(this may take a while\)\.\.\.$/, () => say`Erasing flash (this may take a while)...`],
  [/^Compressed (\d+) bytes to (\d+)\.\.\.$/, (m) => say`Compressed ${m[1]} bytes to ${m[2]}...`],
  [/^Writing at (0x[0-9a-fA-F]+)\.\.\. \((\d+)%\)$/, (m) => say`Writing at ${m[1]}... (${m[2]}%)`],
  [/^Wrote (\d+) bytes \((\d+) compressed\) at (0x[0-9a-fA-F]+) in ([\d.]+) seconds\.$/, (m) => say`Wrote ${m[1]} bytes (${m[2]} compressed) at ${m[3]} in ${m[4]} seconds.`],
  [/^Hash of data verified\.$/, () => say`Hash of data verified.`],
  [/^Leaving\.\.\.$/, () => say`Leaving...`],
  [/^Hard resetting via RTS pin\.\.\.$/, () => say`Hard resetting via RTS pin...`],
  [/^Soft resetting\.\.\.$/, () => say`Soft resetting...`],
  [/^Staying in bootloader\.$/, () => say`Staying in bootloader.`],
  [/^Serial port ?$/, () => say`Serial port`],
];

/** An esptool-js line, said when it is one of a usual flash; the same text in English either way. */
export function esptoolLine(text: string): string {
  for (const [re, said] of LINES) {
    const m = re.exec(text);
    if (m) return said(m);
  }
  return text;
}
