// @pyblish/gui: the GUI process (the counterpart of pyblish-qml). The public surface, grouped;
// anything not listed is internal. The page protocol (the types the web front end renders and
// sends) has its own entry, '@pyblish/gui/view-model', so a reader of it loads none of this.

// Starting the GUI: the 9090 server, the page's server, the window
export { type Gui, type GuiOptions, startGui, VERSION } from './gui.js';

// Driving hosts: the controller, the hosts the GUI knows, one host's client
export { Controller, type ControllerOptions } from './controller.js';
export { DEFAULT_LIVENESS, type HostEntry, HostRegistry, type LivenessOptions } from './host-registry.js';
export { HostClient } from './host-client.js';
export { ViewStateStore } from './view-state.js';

// Reports: the session report written after every run, and the viewer of a saved report
export { ReportBuilder, writeReportFile } from './session-report.js';
export { reportView } from './saved-report-view.js';
export { readReportFile } from './session-report-reader.js';
export { openReportViewer, type ReportViewer, type ReportViewerOptions } from './viewer.js';

// Errors
export {
  CommandError,
  type CommandErrorCode,
  HostCallError,
  type HostCallErrorCode,
  Malformed,
  ReportFileError,
  type ReportFileErrorCode,
} from './errors.js';
