// Test-only stand-in for ms-vscode.vscode-serial-monitor's public API (version 0). "Monitoring" a port opens it with
// an exclusive lock, as the real monitor does, so another opener sees the port busy. The serialport module comes from
// the repository (OTA_SERIALPORT_MODULE). `events` records what was asked, for the tests.
'use strict';
const vscode = require('vscode');

const events = [];
const open = new Map();

function serialport() {
  return require(process.env.OTA_SERIALPORT_MODULE || 'serialport');
}

const api = {
  async startMonitoringPort(settings) {
    const { SerialPort } = serialport();
    const port = new SerialPort({ path: settings.port, baudRate: settings.baudRate, autoOpen: false, lock: true });
    await new Promise((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', () => undefined);
    open.set(settings.port, port);
    events.push({ type: 'start', port: settings.port, baudRate: settings.baudRate });
    const closed = new vscode.EventEmitter();
    port.once('close', () => closed.fire());
    return { stopMonitoring: () => api.stopMonitoringPort(settings.port), onClosed: closed.event };
  },
  async stopMonitoringPort(portName) {
    events.push({ type: 'stop', port: portName });
    const port = open.get(portName);
    open.delete(portName);
    if (port && port.isOpen) await new Promise((resolve) => port.close(() => resolve()));
  },
  async clearOutput() {},
  dispose() {},
};

function activate() {
  return {
    getApi(version) {
      if (version !== 0) throw new Error(`No API version ${version}`);
      return api;
    },
    /** Test-only. */
    testEvents: events,
  };
}

module.exports = { activate, deactivate() {} };
