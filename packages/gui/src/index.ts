export { CommandError, Controller, type ControllerOptions } from './controller.js';
export { type Gui, type GuiOptions, startGui, VERSION } from './gui.js';
export { HostCallError, HostClient } from './host-client.js';
export { DEFAULT_LIVENESS, type HostEntry, HostRegistry, type LivenessOptions } from './host-registry.js';
export { ReportBuilder, writeReportFile } from './session-report.js';
export {
  ReportFileError,
  type ReportFileErrorCode,
  readReportFile,
  reportView,
} from './session-report-reader.js';
export type * from './view-model.js';
export { ViewStateStore } from './view-state.js';
export { openReportViewer, type ReportViewer, type ReportViewerOptions } from './viewer.js';
