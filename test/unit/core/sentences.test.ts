// say`…` and retell: the core's English text unchanged, its template and values found again, nested sentences
// translated in turn, data left alone, and texts said elsewhere recognised by their templates.
import assert from 'node:assert/strict';
import { recogniser, retell, say, saidAs, sayList, templateOf, withoutFullStop } from '../../../src/core/sentences';

const ZH: Record<string, string> = {
  'Opening {0} at {1} baud': '正在以 {1} 波特率打开 {0}',
  'the line hung up': '线路已挂断',
  'Could not open serial port {0}: {1}': '无法打开串口 {0}：{1}',
  'Cancelled.': '已取消。',
  Chip: '芯片',
  'Device: {0}': '设备：{0}',
  'Serial port {0} is busy.': '串口 {0} 正忙。',
  'Deploy stopped: {0}; nothing was created.': '部署已停止：{0}；未创建任何内容。',
  Widget: '部件',
  'Quectel MCU OTA (AT)': '移远 MCU OTA（AT 指令）',
};
const t = (template: string, ...values: string[]): string =>
  (ZH[template] ?? template).replace(/\{(\d+)\}/g, (m, i: string) => values[Number(i)] ?? m);

describe('core sentences (say`…`)', () => {
  it('returns the English text and remembers its template and values', () => {
    const port = '/dev/ttyUSB0';
    const text = say`Opening ${port} at ${115200} baud`;
    assert.equal(text, 'Opening /dev/ttyUSB0 at 115200 baud');
    assert.deepEqual(saidAs(text), { template: 'Opening {0} at {1} baud', values: ['/dev/ttyUSB0', '115200'] });
    assert.equal(templateOf(['a ', ' b ', '']), 'a {0} b {1}');
  });

  it('retells a sentence with a sentence inside it, and leaves data as it is', () => {
    const text = say`Could not open serial port ${'/dev/ttyACM0'}: ${say`the line hung up`}`;
    assert.equal(retell(text, t), '无法打开串口 /dev/ttyACM0：线路已挂断');
    // A word that the translation knows is data inside a sentence unless it was said; a name of several words that
    // it has whole is translated.
    assert.equal(retell(say`Could not open serial port ${'Widget'}: ${'Quectel MCU OTA (AT)'}`, t), '无法打开串口 Widget：移远 MCU OTA（AT 指令）');
  });

  it('looks up a fixed text whole, and gives back what it cannot translate', () => {
    assert.equal(retell('Cancelled.', t), '已取消。');
    assert.equal(retell('+QIOTEVT: 7,702', t), '+QIOTEVT: 7,702');
    assert.equal(retell('', t), '');
  });

  it('a list retells each item; a list of one is the item itself', () => {
    const one = say`Device: ${sayList([say`${say`Chip`} ${'ESP32'}`])}`;
    assert.equal(retell(one, t), '设备：芯片 ESP32');
    const two = say`Device: ${sayList([say`${say`Chip`} ${'STM32F411'}`, say`${say`Chip`} ${'F4'}`])}`;
    assert.equal(two, 'Device: Chip STM32F411, Chip F4');
    assert.equal(retell(two, t), '设备：芯片 STM32F411, 芯片 F4');
    // Each separator is said too, pair by pair: a translation that has it uses its own.
    const pairs = (template: string, ...values: string[]): string => t(template === '{0}; {1}' ? '{0}；{1}' : template, ...values);
    const three = sayList([say`Chip`, 'A', 'B'], '; ');
    assert.equal(three, 'Chip; A; B');
    assert.equal(retell(three, pairs), '芯片；A；B');
    assert.equal(sayList([]), '');
  });

  it('a sentence cut before its full stop to go on inside another is retold cut the same way', () => {
    const reason = withoutFullStop(say`Serial port ${'COM4'} is busy.`);
    assert.equal(reason, 'Serial port COM4 is busy');
    assert.equal(retell(say`Deploy stopped: ${reason}; nothing was created.`, t), '部署已停止：串口 COM4 正忙；未创建任何内容。');
    assert.equal(withoutFullStop('no stop'), 'no stop');
  });

  it('recognises a text said in another process by its template, the most specific template first', () => {
    const recognise = recogniser(['Could not open serial port {0}: {1}', '{0}: {1}', 'Could not open {0}', 'the line hung up']);
    assert.deepEqual(recognise('Could not open serial port COM3: the line hung up'), {
      template: 'Could not open serial port {0}: {1}',
      values: ['COM3', 'the line hung up'],
    });
    assert.deepEqual(recognise('Could not open the file'), { template: 'Could not open {0}', values: ['the file'] });
    assert.equal(recognise('COM3: gone'), undefined, 'a template with no words of its own frames anything: not used');
    assert.equal(recognise('Could not open'), undefined, 'a place is never empty');
    assert.equal(recognise('something else'), undefined);
    const never = 'Could not open serial port COM9: the line hung up';
    assert.equal(saidAs(never), undefined);
    assert.equal(retell(never, t, recognise), '无法打开串口 COM9：线路已挂断');
  });

  it('places values by number, whatever their order in the template', () => {
    const recognise = recogniser(['{1} ms 内未收到{0}']);
    assert.deepEqual(recognise('500 ms 内未收到应答'), { template: '{1} ms 内未收到{0}', values: ['应答', '500'] });
  });
});
